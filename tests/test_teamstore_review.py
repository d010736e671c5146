"""The review from the team store gives the file review's figures on the same data, field by field.

The same agents' logs are reviewed from the files (copilot.review) and, after a sync, from the
store (copilot.teamstore.review, summed and judged in SQL): every figure, flag (raised, judged,
explanation, evidence), tier, escalation effort, trend and drill-down must agree. Only what names
the source differs (file names vs the store's session numbers), and is compared by session start.
Random shifts make the flag rules meet many cases, with the default thresholds and with others.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import asdict

import pytest

from copilot.review.distributions import window_views
from copilot.review.drilldown import agent_detail
from copilot.review.export import review_dict
from copilot.review.team import review_logs
from copilot.teamstore.errors import TeamStoreError
from copilot.teamstore.review import review_store
from copilot.usage.flag_model import FlagThresholds
from tests.review_builders import careful_log, escalated_chat, overloaded_log, passive_log
from tests.teamstore_helpers import LEAD, PASSWORD, drop_store, new_store
from tests.usage_log_builders import T0, open_log, write_drafts, write_known_session, write_load

HOUR, DAY = 3600.0, 86400.0


def normalised(d: dict) -> dict:
    """review_dict without what names the source: session keys become their agent and start."""
    d = json.loads(json.dumps(d))
    d["files"] = None
    for a in d["agents"]:
        starts = {s["session"]: s["start_utc"] for s in a["session_flags"]}
        a["files"] = None
        for s in a["session_flags"]:
            s["session"] = None
        evidence = a["flags"]["overload"]["evidence"]
        if "shown_session" in evidence:
            evidence["shown_session"] = starts[evidence["shown_session"]]
    return d


def random_shift(path, agent: str, start: float, rng: random.Random) -> None:
    """A shift of random load, latency, frustration and drafting habits."""
    log = open_log(path, agent, start)
    phases = [(rng.choice([5, 10, 15, 20]), rng.randint(1, 6), rng.choice([6.0, 15.0, 30.0, 70.0]),
               rng.choice([0.1, 0.2, 0.5, 0.8])) for _ in range(rng.randint(2, 4))]
    end = write_load(log, start, phases)
    pattern = "".join(rng.choice("aaaaeeri") for _ in range(rng.randint(5, 45)))
    drafts = write_drafts(log, start + 60, pattern, seconds_per_word=rng.choice([0.05, 0.1, 0.3, 0.8]),
                          gap=rng.choice([20.0, 45.0]))
    log.close(ended_at=max(end, drafts) + rng.choice([0, 60, 400]))


@pytest.fixture(scope="module")
def team(pg_cluster, tmp_path_factory):
    """Four agents, several shifts each (one across midnight, one killed, two at once), synced to a store
    that the tests here only read."""
    team_store = new_store(pg_cluster)
    tmp_path = tmp_path_factory.mktemp("team")
    rng = random.Random(14)
    logs = []
    for agent, habit in (("ann", careful_log), ("bo", passive_log), ("cy", overloaded_log), ("di", None)):
        path = tmp_path / f"{agent}.sqlite"
        for day in range(4):
            start = T0 + day * DAY + rng.choice([8, 9, 22.5]) * HOUR
            if habit is None or day == 3:
                random_shift(path, agent, start, rng)
            else:
                habit(path, agent, start)
        escalated_chat(path, agent, T0 + 5 * DAY + HOUR, agent == "ann", f"{agent} will cancel everything")
        logs.append(path)
    write_known_session(tmp_path / "ann.sqlite", "ann", T0 + 6 * DAY, end=None)  # killed: no end recorded
    write_known_session(tmp_path / "bo.sqlite", "bo", T0 + 6 * DAY)
    write_known_session(tmp_path / "bo.sqlite", "bo", T0 + 6 * DAY)  # two app windows started together
    for agent, path in zip(("ann", "bo", "cy", "di"), logs):
        report = team_store.sync(agent, path, allow_text=True).run_once()
        assert report.ok, report.error
    yield team_store, [str(p) for p in logs]
    drop_store(team_store)


def _both(store, logs, since=None, until=None, thresholds=None):
    files = review_logs(logs, since, until, thresholds)
    stored = review_store(store.config(LEAD), PASSWORD, since, until, thresholds)
    return files, stored


def test_the_store_review_equals_the_file_review_field_by_field(team):
    store, logs = team
    files, stored = _both(store, logs)
    assert files.problems == [] and len(files.agents) == 4 and files.sessions == 23
    assert normalised(review_dict(stored)) == normalised(review_dict(files))
    raised = review_dict(files)["raised"]
    assert raised["over_reliance"] and raised["overload"]  # the data exercises both flags
    # every session's decisions, made in SQL, are those of the Python rules
    for fa, sa in zip(files.agents, stored.agents):
        for fs, ss in zip(fa.sessions, sa.sessions):
            assert fs.session.start == ss.session.start and fs.session.end == ss.session.end
            for kind in ("over_reliance", "overload"):
                assert (ss.flags[kind].raised, ss.flags[kind].judged) == (fs.flags[kind].raised, fs.flags[kind].judged)


@pytest.mark.parametrize("overrides", [
    {"min_used": 5, "rise_over_reference": 0.1, "baseline_windows": 2},
    {"load_margin": 0.5, "min_high_load_minutes": 5, "min_replies": 2, "min_baseline_minutes": 5},
    {"baseline_windows": 0, "latency_ratio": 1.1, "latency_increase": 2, "frustration_increase": 0.05},
])
def test_the_same_flags_with_other_thresholds_and_a_range_of_days(team, overrides):
    store, logs = team
    thresholds = FlagThresholds.with_overrides(overrides)
    files, stored = _both(store, logs, T0 + DAY, T0 + 5 * DAY, thresholds)
    assert normalised(review_dict(stored)) == normalised(review_dict(files))
    decisions = [(s.flags[k].raised, s.flags[k].judged) for a in stored.agents for s in a.sessions
                 for k in ("over_reliance", "overload")]
    assert decisions == [(s.flags[k].raised, s.flags[k].judged) for a in files.agents for s in a.sessions
                         for k in ("over_reliance", "overload")]


def test_trends_and_drill_downs_are_the_same_from_the_store(team):
    store, logs = team
    files, stored = _both(store, logs)
    for window in ("day", "week"):
        f, s = window_views(files, window), window_views(stored, window)
        assert list(f) == list(s)
        for start in f:
            assert [(v.agent, v.figures, asdict(v.extras)) for v in f[start]] == \
                   [(v.agent, v.figures, asdict(v.extras)) for v in s[start]]
    for agent in ("ann", "bo", "cy"):
        f, s = agent_detail(files, agent), agent_detail(stored, agent)
        assert [k[1:] for k in f.sessions] == [k[1:] for k in s.sessions]
        assert [d.__dict__ | {"session": None} for d in f.decisions] == [d.__dict__ | {"session": None}
                                                                        for d in s.decisions]
        assert [(x.start, x.end, x.kind, x.why) for x in f.stretches] == [(x.start, x.end, x.kind, x.why)
                                                                        for x in s.stretches]
        assert [e.__dict__ | {"session": None} for e in f.escalations] == [e.__dict__ | {"session": None}
                                                                          for e in s.escalations]
        assert sorted(map(len, f.concurrency.values())) == sorted(map(len, s.concurrency.values()))
    ann = agent_detail(stored, "ann")  # ann's team opted in to text: the lead sees the customer's words
    assert ann.stores_text and any("will cancel" in (e.trigger or "") for e in ann.escalations)
    assert not any("will cancel" in (e.trigger or "") for e in agent_detail(stored, "bo").escalations)


def test_copilot_review_db_writes_the_reports(team, tmp_path):
    store, logs = team
    html, csv = tmp_path / "review.html", tmp_path / "review.csv"
    run = subprocess.run([sys.executable, "-m", "copilot", "review", "--db", store.url(LEAD, PASSWORD), "--json",
                          "--html", str(html), "--csv", str(csv), "--since", "2026-01-02"],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["agents_count"] == 4 and out["since_utc"] == "2026-01-02T00:00:00Z"
    assert normalised(out) == normalised(review_dict(review_logs(logs, T0 + DAY)))
    assert "<svg" in html.read_text() and csv.read_text(encoding="utf-8-sig").startswith("agent,tier,")
    for args, words in ((["--since", "2026-01-02T09:30"], "whole UTC days"),
                        (["--logs", logs[0]], "either --logs or --db")):
        bad = subprocess.run([sys.executable, "-m", "copilot", "review", "--db", store.url(LEAD, PASSWORD),
                              "--json", *args], capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and words in bad.stderr, bad.stderr


def test_an_agent_reviewing_the_store_sees_only_themselves(team):
    store, _ = team
    own = review_store(store.config("cy"), PASSWORD)
    assert [a.agent for a in own.agents] == ["cy"]
    with pytest.raises(TeamStoreError, match="refused the password"):
        review_store(store.config(LEAD), "wrong")


def test_skill_trends_from_the_store_equal_those_from_the_files(team_store, tmp_path):
    """Practice and blind-first records travel as generic records; the skill section reads them there."""
    logs = []
    for agent, policy in (("ann", "decaying"), ("bo", "careful")):
        log = tmp_path / f"{agent}.sqlite"
        run = subprocess.run([sys.executable, "-m", "copilot", "practice", "--agent", agent, "--policy", policy,
                              "--skill", "0.8", "--weeks", "3", "--shifts-per-week", "1", "--shift-chats", "8",
                              "--blind-first", "3", "--seed", "5", "--start", "2026-01-05", "--usage-log", str(log),
                              "--json"], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert team_store.sync(agent, log).run_once().ok
        logs.append(str(log))
    files, stored = _both(team_store, logs)
    skill = review_dict(files)["skill"]
    assert [a["agent"] for a in skill["agents"]] == ["ann", "bo"] and all(a["practices"] == 3 for a in skill["agents"])
    assert normalised(review_dict(stored)) == normalised(review_dict(files))
