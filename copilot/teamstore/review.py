"""The team review from the team store: the same TeamReview the file review builds, summed on the server.

    review = review_store(StoreConfig.parse(url), password, since=..., until=...)
    write_html(review, "review.html"); review_dict(review)        # as for files

The server returns one row per session (its sums and its flags' decisions, review_sql.py) and one
per agent (the period's sums): some 20,000 + 1,000 rows for a thousand agents' month, however many
events lie behind them. Here the period's flags are judged by the usual rules (judging.py), the
overload flag of the period from the sessions' decisions, with the one session it quotes judged
in full (overload_flag.judge_overload, on the server's load split), and tiers as always. Trends
and the drill-down ask the server again when they are wanted (source.py).

Ranges are whole UTC days (--since 2026-03-02): the store keeps its sums per day; a time within a
day is refused with a message saying so.
"""
from __future__ import annotations

import gc
import time
from collections import defaultdict
from dataclasses import fields

from copilot.review.model import Extras, LoadedSession
from copilot.review.judging import judge_windows, team_references
from copilot.review.team import PERIOD, AgentReview, SessionReview, TeamReview, period_overload
from copilot.review.tiers import assign_tiers
from copilot.teamstore import review_sql
from copilot.teamstore.config import StoreConfig, connect, resolve_password
from copilot.teamstore.errors import TeamStoreError, operation_error
from copilot.teamstore.schema import check_version
from copilot.teamstore.tables import EXTRAS_FIELDS
from copilot.usage.escalation_effort import EffortByType
from copilot.usage.figures import Figures
from copilot.usage.flag_model import Flag, FlagThresholds, References
from copilot.usage.metrics import AgentMetrics
from copilot.usage.overload_flag import judge_overload
from copilot.usage.tally import Tally
from copilot.usage.timeframes import DAY

LABEL = "team store"  # stands where a file's name stands in a file review (session keys, "files")
_TALLY = tuple(f.name for f in fields(Tally))


def day_range(since: float | None, until: float | None) -> tuple[int | None, int | None]:
    """The whole UTC days [first, stop) of a range; TeamStoreError for a time within a day."""
    for name, value in (("--since", since), ("--until", until)):
        if value is not None and value % DAY:
            raise TeamStoreError(f"the team store reviews whole UTC days: give {name} as a date (e.g. 2026-03-02), "
                                 "or review the log files for finer ranges", "config")
    return (None if since is None else int(since // DAY)), (None if until is None else int(until // DAY))


def review_store(config: StoreConfig, password: str | None = None, since: float | None = None,
                 until: float | None = None, thresholds: FlagThresholds | None = None) -> TeamReview:
    """Raises TeamStoreError (unreachable, wrong password, newer schema, a range within a day, ...)."""
    from psycopg.rows import dict_row

    thresholds = thresholds or FlagThresholds()
    first_day, stop_day = day_range(since, until)
    started = time.perf_counter()
    conn = connect(config, password if password is not None else resolve_password(config))
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small objects: the collector's passes over them cost more than making them
    try:
        try:
            with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                with conn.cursor() as plain:
                    check_version(plain, config.target)
                params = review_sql.params(thresholds, first_day, stop_day, LABEL)
                cur.execute("SET LOCAL jit = off")  # compiling this query costs more than running it
                cur.execute(review_sql.sessions_sql(thresholds), params)
                sessions = cur.execute(review_sql.session_rows_sql()).fetchall()
                chosen = cur.execute(review_sql.chosen_rows_sql()).fetchall()
                agents = cur.execute(review_sql.agents_sql(), params).fetchall()
                effort = cur.execute(review_sql.effort_sql(), params).fetchall()
        except TeamStoreError:
            raise
        except Exception as exc:
            raise operation_error(exc, "reading the review") from None
        finally:
            conn.close()
        review = build_review(sessions, chosen, agents, effort, thresholds, since, until)
    finally:
        if collecting:
            gc.enable()
    from copilot.teamstore.source import StoreSource

    fast = {row["uuid"].hex: (row["accepted_fast"], row["accepted_timed"]) for row in sessions}
    review.source = StoreSource(config, password, params, fast)
    review.files = [config.display]
    review.load_seconds = time.perf_counter() - started
    return review


def _tally(row: dict, names=_TALLY) -> Tally:
    return Tally(**{name: row[name] for name in names})


def _extras(row: dict, own_replies: int, own_seconds: float) -> Extras:
    values = {name: row[f"review_{name}"] for name in EXTRAS_FIELDS}
    return Extras(**values, own_replies=own_replies, own_reply_seconds=own_seconds)


def _light_flags(row: dict, key: str) -> dict[str, Flag]:
    """The server's decisions; explanations are written where a lead reads them (drill-down, period)."""
    start, end, agent = row["started_at"], row["span_end"], row["agent"]
    overload_evidence = {} if row["high_minutes"] is None else {"high_load_minutes": row["high_minutes"]}
    return {"over_reliance": Flag("over_reliance", agent, "session", key, start, end, row["or_raised"],
                                  row["or_judged"], "", "", {}),
            "overload": Flag("overload", agent, "session", key, start, end, row["ol_raised"], row["ol_judged"],
                             "", "", overload_evidence)}


def _session(row: dict, full: dict | None) -> SessionReview:
    """A session of the summary; its sums only for the one its agent's overload flag quotes (`full`):
    the drill-down reads the others' when a lead opens the agent (source.py)."""
    key = f"{LABEL}#{row['id']}"
    loaded = LoadedSession(LABEL, row["id"], row["uuid"].hex, row["agent"], row["policy"], row["started_at"],
                           row["span_end"], {}, {}, Extras(), [], row["stores_text"])
    metrics = None
    if full is not None:
        tally = _tally(full)
        metrics = AgentMetrics(row["agent"], "session", key, loaded.start, loaded.end, 1, LABEL, Figures.of(tally),
                               tally, [])
    return SessionReview(loaded, metrics, _light_flags(row, key))


def judged_in_full(s: SessionReview, row: dict, team: tuple, thresholds: FlagThresholds) -> Flag:
    """The session's overload flag with its explanation, from the server's baseline and load split."""
    baseline = None
    if row["base_n"] is not None:
        baseline = Figures.of(Tally(**{c: row[f"base_{c}"] for c in review_sql.REFERENCE}))
    high = Tally(**{c: row[f"high_{c}"] for c in review_sql.SPLIT["high"]})
    low = Tally(**{c: row[f"low_{c}"] for c in review_sql.SPLIT["low"]})
    refs = References(baseline, row["base_n"] or 0, *team)
    return judge_overload(s.metrics, refs, thresholds, split=(high, low))


def build_review(sessions: list[dict], chosen: list[dict], agents: list[dict], effort: list[dict],
                 thresholds: FlagThresholds, since: float | None, until: float | None) -> TeamReview:
    rows = defaultdict(list)
    for row in sessions:
        rows[row["agent"]].append(row)
    full = {row["uuid"]: row for row in chosen}
    period = [AgentMetrics(a["agent"], PERIOD, PERIOD, a["start"], a["end"], a["sessions"], "",
                           Figures.of(_tally(a)), _tally(a), []) for a in agents]
    teams = team_references(period)
    efforts = _effort(effort)
    reviews = []
    for a, m, flags in zip(agents, period, judge_windows(period, thresholds, teams=teams)):
        name = a["agent"]
        session_reviews = []
        for row in rows[name]:
            s = _session(row, full.get(row["uuid"]))
            if s.metrics is not None:  # the session the period's overload flag quotes
                s.flags["overload"] = judged_in_full(s, full[row["uuid"]], teams.get(name, (None, 0)), thresholds)
            session_reviews.append(s)
        flags["overload"] = period_overload(m, session_reviews)
        extras = _extras(a, a["own_replies"], a["own_reply_seconds"])
        reviews.append(AgentReview(name, m, flags, session_reviews, extras, efforts.get(name, {})))
    team_extras = Extras()
    for r in reviews:
        team_extras.add(r.extras)
    team = Figures.of(Tally.total(m.tally for m in period))
    review = TeamReview(reviews, [], [], thresholds, since, until, team=team, team_extras=team_extras,
                        effort=efforts.get("", {}))
    assign_tiers(review.agents)
    return review


def _effort(rows: list[dict]) -> dict[str, dict[str, EffortByType]]:
    """Agent ("" for the team) -> escalation type -> effort, rounded as effort_by_type rounds."""
    def r3(value):
        return None if value is None else round(value, 3)

    result: dict[str, dict[str, EffortByType]] = defaultdict(dict)
    for row in rows:
        agent, kind, count, intervened, median, mean, within, messages, share, questions, solutions = row.values()
        result[agent][kind] = EffortByType(kind, count, intervened, r3(median), r3(mean), r3(within), r3(messages),
                                           r3(share), r3(questions), r3(solutions))
    return result
