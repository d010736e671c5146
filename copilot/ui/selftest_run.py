"""Runs a self-test shift and checks it: the summary `copilot selftest` prints."""
from __future__ import annotations

import sqlite3
import time
from collections import Counter

from copilot.selftest.policy import ScriptedAgent
from copilot.session import SessionOptions
from copilot.ui.app import application
from copilot.ui.workbench import Workbench
from copilot.ui.flag_monitor import current_flags
from copilot.ui.selftest_driver import SelftestDriver


FULL_SHIFT = 20  # chats: from here on the policy's own checks (flags, edits, concurrency) apply


def run_selftest(options: SessionOptions, timeout: float, settings=None) -> dict:
    """`settings`: the engine to use (offline unless they say llm), as the app would read them."""
    app = application()
    started = time.monotonic()
    bench = Workbench(options, settings)
    session = bench.session
    agent = ScriptedAgent(options.policy, session.simulator, seed=options.seed or 0)
    driver = SelftestDriver(bench, agent, total_chats=options.total_chats or 0, deadline_seconds=timeout)
    bench.window.show()
    bench.start()
    driver.finished.connect(app.quit)
    driver.start()
    sim_started = session.clock.now()
    app.exec()
    sim_minutes = (session.clock.now() - sim_started) / 60
    bench.close()  # flushes and closes the usage log
    return summarise(bench, driver, time.monotonic() - started, sim_minutes)


def log_rows(path) -> dict[str, int]:
    """Rows per table in the usage log file, read independently of the writer."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
    finally:
        conn.close()


def suggestion_engines(path, session_id: int) -> dict:
    """Suggestions shown, by draft kind and by the engine that made the diagnosis and the draft,
    read back from the usage log (so the summary shows what the log says, not what we think)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def counts(column: str) -> dict:
            rows = conn.execute(f"SELECT coalesce({column}, ''), count(*) FROM suggestions WHERE session_id = ? "
                                f"GROUP BY 1 ORDER BY 1", (session_id,))
            return {key or "none": n for key, n in rows}

        return {"by_draft_kind": counts("draft_kind"), "by_diagnosis_engine": counts("diagnosis_engine"),
                "by_draft_engine": counts("draft_engine")}
    finally:
        conn.close()


def deescalation_check(path, session_id: int) -> dict:
    """Every suggestion shown after a chat's emotional escalation must be a de-escalation draft
    (or one for the category the agent chose), whatever the engine: read from the usage log."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT s.draft_kind, count(*) FROM suggestions s JOIN escalations e "
            "ON e.session_id = s.session_id AND e.chat_id = s.chat_id AND e.type = 'emotional' AND s.ts >= e.ts "
            "WHERE s.session_id = ? GROUP BY 1", (session_id,)).fetchall()
    finally:
        conn.close()
    after = dict(rows)
    return {"after_emotional_escalation": after,
            "routine_to_upset_customers": after.get("routine", 0)}


def session_engine(path, session_id: int) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT engine FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
    finally:
        conn.close()


def decision_kinds(path, session_id: int) -> Counter:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT decision, count(*) FROM decisions WHERE session_id = ? GROUP BY decision", (session_id,))
        return Counter(dict(rows.fetchall()))
    finally:
        conn.close()


def escalation_summary(session) -> dict:
    """Escalations the app detected, scored against the ones the scenarios script, and how fast
    the agent stepped in after each (time to intervene, on the session clock)."""
    from copilot.assist.escalation import escalation_effort
    from copilot.assist.escalation.scoring import Detected, score

    ws, tracker, sim = session.workspace, session.workspace.escalations, session.simulator
    detected, by_type = [], {}
    for chat in ws.chats.values():
        customer_ids = [m.id for m in chat.messages if m.sender.value == "customer"]
        for esc in tracker.escalations(chat.id) if tracker else ():
            at = customer_ids.index(esc.message_id) + 1 if esc.message_id in customer_ids else 0
            detected.append(Detected(chat.id, esc.type.value, at, esc.trigger))
            effort = escalation_effort(chat.messages, esc.ts)
            entry = by_type.setdefault(esc.type.value, {"count": 0, "seconds_to_intervene": []})
            entry["count"] += 1
            if effort.seconds_to_intervene is not None:
                entry["seconds_to_intervene"].append(round(effort.seconds_to_intervene, 1))
    scripted = {cid: sim.scenario_of(cid).escalations for cid in ws.chats}
    labels = {cid: sim.scenario_of(cid).id for cid in ws.chats}
    scored = score(scripted, detected, labels).summary()
    for entry in by_type.values():
        times = sorted(entry["seconds_to_intervene"])
        entry["median_seconds_to_intervene"] = times[len(times) // 2] if times else None
    return {"detected": len(detected), "by_type": by_type, "vs_scripted": scored["overall"],
            "missed": scored["missed"], "false_alarms": scored["false_alarms"]}


def summarise(bench: Workbench, driver: SelftestDriver, real_seconds: float, sim_minutes: float) -> dict:
    session = bench.session
    ws = session.workspace
    stats = session.simulator.stats()
    tally = ws.tally
    path = session.usage_log.path
    rows = log_rows(path)
    logged = session.usage_log.counts()
    kinds = decision_kinds(path, session.usage_log.session_id)
    deescalation = deescalation_check(path, session.usage_log.session_id)
    handled = sum(1 for c in ws.chats.values() if not c.is_open)
    policy = session.options.policy
    checks = {
        "finished_in_time": not driver.timed_out,
        "no_driver_errors": not driver.errors,
        "no_usage_log_errors": session.usage_log.last_error is None,
        "enough_chats": handled >= (session.options.total_chats or 0),
        "suggestions_shown": tally["shown"] > 0,
        "replies_delivered": stats.agent_replies == tally["agent_messages"] - tally["undelivered"] > 0,
        "log_chats_match": logged.get("chats") == len(ws.chats),
        "log_messages_match": logged.get("messages") == tally["customer_messages"] + tally["agent_messages"],
        "log_suggestions_match": logged.get("suggestions") == tally["shown"],
        "log_decisions_match": all(kinds.get(k, 0) == tally[k] for k in ("accepted", "edited", "rejected", "ignored")),
        "log_escalations_match": logged.get("escalations", 0)
        == tally["escalation_emotional"] + tally["escalation_technical"],
        "log_names_configured_engine": session_engine(path, session.usage_log.session_id)
        == session.engines.configured.value,
        "upset_customers_get_deescalation": deescalation["routine_to_upset_customers"] == 0,
    }
    flags = {f.kind: f for f in current_flags(path, session.options.agent, session.usage_log.session_id)}
    # A policy's character (its flag, its edits and rejections, five chats at once) shows only over
    # a full shift; a short one (a self-test against a slow model) checks the pipeline, not the policy.
    full_shift = (session.options.total_chats or 0) >= FULL_SHIFT
    if full_shift:
        checks["concurrency_reached_5"] = ws.peak_concurrency >= 5
        checks["drafts_accepted"] = tally["accepted"] > 0
        expected = {"passive": ("over_reliance", True), "careful": ("over_reliance", False),
                    "overloaded": ("overload", True)}
        kind, should_raise = expected[policy]
        checks[f"{kind}_flag_{'raised' if should_raise else 'not_raised'}"] = (
            kind in flags and flags[kind].judged and flags[kind].raised == should_raise)
    if full_shift and policy in ("careful", "overloaded"):
        checks["drafts_edited"] = tally["edited"] > 0
        checks["drafts_rejected"] = tally["rejected"] > 0
        checks["own_replies_typed"] = driver.actions.get("reply", 0) > 0
    return {
        "ok": all(checks.values()),
        "agent": session.options.agent,
        "policy": policy,
        "seed": session.options.seed,
        "engine": session.engines.label,
        "session_engine_logged": session_engine(path, session.usage_log.session_id),
        "suggestions": {**suggestion_engines(path, session.usage_log.session_id), **deescalation},
        "chats_opened": len(ws.chats),
        "chats_handled": handled,
        "chats_resolved_correctly": stats.resolved_correctly,
        "customers_left_unhappy": stats.left_unhappy,
        "messages": {"customer": tally["customer_messages"], "agent": tally["agent_messages"],
                     "agent_undelivered": tally["undelivered"]},
        "suggestions_shown": tally["shown"],
        "accepted": tally["accepted"],
        "edited": tally["edited"],
        "rejected": tally["rejected"],
        "ignored": tally["ignored"],
        "own_replies": driver.actions.get("reply", 0),
        "peak_concurrency": ws.peak_concurrency,
        "flags": {k: {"raised": f.raised, "judged": f.judged, "explanation": f.explanation} for k, f in flags.items()},
        "escalations": escalation_summary(session),
        "usage_log": {"path": str(path), "session_id": session.usage_log.session_id, "session_rows": logged, "file_rows": rows},
        "real_seconds": round(real_seconds, 1),
        "simulated_minutes": round(sim_minutes, 1),
        "problems": session.problems,
        "policy_checks": "run" if full_shift else f"not run: fewer than {FULL_SHIFT} chats",
        "engine_notices": sorted({a.notice for a in ws.assist.values() if a.notice}),
        "still_open": [
            {"chat": c.id, "scenario": c.scenario_id, "messages": len(c.messages),
             "waiting_s": round(c.waiting_seconds(ws.clock.now()), 1)}
            for c in ws.open_chats
        ],
        "driver_errors": driver.errors[:10],
        "checks": checks,
    }
