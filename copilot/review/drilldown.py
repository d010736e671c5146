"""One agent up close: the timeline of decisions, open chats over each shift, and the flagged stretches.

    detail = agent_detail(review, "ann")   # reads that agent's sessions again, read-only (or asks review.source)

Flagged stretches are the 5-minute slices that made a flag: for overload, the slices with clearly
more chats open than usual (the rule's own high-load buckets); for over-reliance, slices where
drafts went out unedited and unread (the rule's thresholds, applied to the slice, at least
MIN_SLICE_DRAFTS drafts). Overload is marked in sessions whose own flag was raised (the rule
compares slices within a shift); over-reliance also when the period's was.

Privacy: customers' words are read only from sessions that kept message text (a team opt-in).
Elsewhere escalation triggers, which quote the customer, are cut to their plain-words part.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from copilot.usage.bucket_sums import READING_CHARS_PER_SECOND
from copilot.usage.read_only import open_read_only
from copilot.usage.tally import ratio
from copilot.usage.timeframes import BUCKET_SECONDS as B

MIN_SLICE_DRAFTS = 3
_DECISIONS = """
SELECT d.ts, d.chat_id, d.decision, d.seconds_to_decide, d.edit_distance, s.draft_length, {text}
FROM decisions d
LEFT JOIN suggestions s ON s.session_id = d.session_id AND s.suggestion_id = d.suggestion_id
{join}
WHERE d.session_id = :sid AND d.ts >= :since AND d.ts < :until ORDER BY d.ts, d.id"""
_CUSTOMER_TEXT = ("LEFT JOIN messages m ON m.session_id = d.session_id AND m.chat_id = d.chat_id "
                  "AND m.message_id = s.message_id AND m.sender = 'customer'")
_STEPS = "SELECT ts, open_chats FROM concurrency WHERE session_id = ? ORDER BY ts, id"


def without_quotes(trigger: str | None) -> str:
    """"threatens to leave: 'I'm done with you'" -> "threatens to leave": the customer's words go."""
    if not trigger:
        return ""
    return trigger.split(": '", 1)[0].split("'", 1)[0].strip(" :")


@dataclass(frozen=True)
class DecisionPoint:
    ts: float
    session: str
    chat_id: str
    decision: str  # accepted | edited | rejected | ignored
    seconds_to_decide: float | None
    seconds_per_word: float | None
    unread: bool  # accepted faster than it could be read
    edit_distance: float | None
    customer_text: str | None = None  # only from sessions that kept text


@dataclass(frozen=True)
class Stretch:
    session: str
    start: float
    end: float
    kind: str  # over_reliance | overload
    why: str


@dataclass(frozen=True)
class EscalationPoint:
    ts: float
    session: str
    chat_id: str
    type: str
    reason: str
    trigger: str
    seconds_to_intervene: float | None


@dataclass
class AgentDetail:
    agent: str
    sessions: list[tuple[str, float, float, list[str]]]  # (key, start, end, kinds of flags raised)
    decisions: list[DecisionPoint] = field(default_factory=list)
    concurrency: dict[str, list[tuple[float, int]]] = field(default_factory=dict)  # session -> steps
    stretches: list[Stretch] = field(default_factory=list)
    escalations: list[EscalationPoint] = field(default_factory=list)
    stores_text: bool = False


def agent_detail(review, agent: str) -> AgentDetail:
    if review.source is not None:  # e.g. the team store, which reads the agent's rows from its server
        return review.source.agent_detail(review, agent)
    a = review.agent(agent)
    lo, hi = review_range(review)
    rows: dict[str, tuple[list[tuple], list[tuple[float, int]]]] = {}
    by_file = defaultdict(list)
    for s in a.sessions:
        by_file[s.session.path].append(s)
    for path, sessions in by_file.items():
        conn = open_read_only(path)
        try:
            for s in sessions:
                ls = s.session
                sql = _DECISIONS.format(text="m.text" if ls.stores_text else "NULL",
                                        join=_CUSTOMER_TEXT if ls.stores_text else "")
                decisions = conn.execute(sql, {"sid": ls.id, "since": lo, "until": hi}).fetchall()
                rows[ls.key] = decisions, conn.execute(_STEPS, (ls.id,)).fetchall()
        finally:
            conn.close()
    return assemble_detail(review, a, rows)


def review_range(review) -> tuple[float, float]:
    return (-1e18 if review.since is None else review.since), (1e18 if review.until is None else review.until)


def assemble_detail(review, a, rows: dict[str, tuple[list[tuple], list[tuple[float, int]]]]) -> AgentDetail:
    """The drill-down from each session's decision rows (ts, chat, decision, seconds, edit distance,
    draft length, customer text) and concurrency steps (ts, open chats), however they were read."""
    detail = AgentDetail(a.agent, [(s.session.key, s.session.start, s.session.end, [f.kind for f in s.raised])
                                   for s in a.sessions], stores_text=a.stores_text)
    for s in a.sessions:
        ls = s.session
        decisions, steps = rows.get(ls.key, ([], []))
        for ts, chat, kind, secs, dist, length, text in decisions:
            per_word = secs / (length / 5.5) if secs is not None and length else None
            unread = kind == "accepted" and bool(length) and secs is not None \
                and secs * READING_CHARS_PER_SECOND < length
            detail.decisions.append(DecisionPoint(ts, ls.key, chat, kind, secs, per_word, unread, dist, text))
        detail.concurrency[ls.key] = [(t, n) for t, n in steps if t is not None]
        for r in ls.escalations:
            trigger = r.trigger if ls.stores_text else without_quotes(r.trigger)
            detail.escalations.append(EscalationPoint(r.escalated_at, ls.key, r.chat_id, r.type,
                                                      r.reason or "", trigger, r.seconds_to_intervene))
    detail.decisions.sort(key=lambda d: d.ts)
    detail.escalations.sort(key=lambda e: e.ts)
    detail.stretches = _stretches(review, a, detail)
    return detail


def _stretches(review, a, detail: AgentDetail) -> list[Stretch]:
    t = review.thresholds
    found = []
    by_session = defaultdict(list)
    for d in detail.decisions:
        by_session[d.session].append(d)
    for s in a.sessions:
        key = s.session.key
        overload = s.flags["overload"]
        if overload.raised:
            usual = overload.evidence.get("usual_open_chats") or 0.0
            slices = []
            for start, tally in s.metrics.buckets:
                level = ratio(tally.concurrency_seconds, tally.active_seconds)
                if level is not None and level >= usual + t.load_margin:
                    slices.append((start, f"{level:.1f} chats open (usual {usual:.1f})"))
            found += _merge(key, "overload", slices)
        if s.flags["over_reliance"].raised or a.flags["over_reliance"].raised:
            slices = []
            buckets = defaultdict(list)
            for d in by_session[key]:
                buckets[math.floor(d.ts / B) * B].append(d)
            for start, ds in sorted(buckets.items()):
                used = [d for d in ds if d.decision != "ignored"]
                accepted = [d for d in used if d.decision == "accepted"]
                unread = sum(d.unread for d in accepted)
                rejected = sum(d.decision == "rejected" for d in used)
                if (len(used) >= MIN_SLICE_DRAFTS and len(accepted) >= t.high_acceptance * len(used)
                        and unread >= t.fast_acceptance * len(accepted) and rejected <= t.max_reject_rate * len(used)):
                    slices.append((start, f"{len(accepted)} of {len(used)} drafts sent unedited, {unread} unread"))
            found += _merge(key, "over_reliance", slices)
    return found


def _merge(session: str, kind: str, slices: list[tuple[float, str]]) -> list[Stretch]:
    """Adjacent 5-minute slices become one stretch, described by its first slice and its length."""
    result: list[Stretch] = []
    for start, why in slices:
        if result and result[-1].end == start:
            last = result[-1]
            result[-1] = Stretch(session, last.start, start + B, kind, last.why)
        else:
            result.append(Stretch(session, start, start + B, kind, why))
    return result
