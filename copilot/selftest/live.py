"""`copilot selftest --source matrix|chatwoot`: a scripted agent works a shift on whatever chats
arrive from a real server (the customers are outside the app), without the window, until N chats
have ended; then the summary says what happened and checks that it went right.

The agent has no script to read (see oracles.BlindOracle): it trusts the engine's diagnosis,
decides about drafts as its policy says, and resolves a chat once the customer thanks it.
`--speed` makes the agent that many times quicker than a person; the customers keep their own pace.
"""
from __future__ import annotations

import time

from copilot.core.events import Link
from copilot.selftest.headless import HeadlessShift
from copilot.selftest.oracles import BlindOracle
from copilot.selftest.policy import ScriptedAgent

SETTLE_SECONDS = 30.0  # after the last chat ended: replies still on their way may land


def run_live_selftest(options, settings, timeout: float) -> dict:
    from copilot.session import Session

    started = time.monotonic()
    session = Session.build(options, settings)  # inline assist work: no window, no UI thread
    ws = session.workspace
    agent = ScriptedAgent(options.policy or "careful", BlindOracle(ws), seed=options.seed or 0)
    wanted = options.total_chats or 1
    ended = lambda w: sum(not c.is_open for c in w.chats.values()) >= wanted  # noqa: E731
    try:
        report = HeadlessShift(ws, agent, speed=options.speed).run(ended, timeout)
        HeadlessShift(ws, agent, speed=options.speed).run(
            lambda w: all(not c.delivery for c in w.chats.values()), SETTLE_SECONDS, act=False)
    finally:
        session.close()
    tally, link = ws.tally, ws.link
    checks = {
        "finished_in_time": not report.timed_out,
        "enough_chats_ended": report.chats_ended >= wanted,
        "no_errors": not report.errors,
        "connected_at_the_end": link.state is Link.CONNECTED,
        "suggestions_shown": tally["shown"] > 0,
        "every_reply_confirmed": report.undelivered_at_end == 0 and tally["agent_messages"] > 0,
        "no_usage_log_errors": session.usage_log.last_error is None,
    }
    return {
        "ok": all(checks.values()), "source": session.source.kind, "agent": options.agent,
        "policy": options.policy or "careful", "checks": checks, "shift": report.as_dict(),
        "messages": {"customer": tally["customer_messages"], "agent": tally["agent_messages"],
                     "outside": tally["outside_messages"], "undelivered_at_end": report.undelivered_at_end},
        "decisions": {k: tally[k] for k in ("shown", "accepted", "edited", "rejected", "ignored")},
        "source_problems": dict(getattr(session.source, "problems", {})),
        "link": {"state": link.state.value, "detail": link.detail},
        "usage_log": str(session.usage_log.path), "real_seconds": round(time.monotonic() - started, 1),
    }
