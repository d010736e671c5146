"""Playing a practice session with a scripted agent, on a manual clock (no window, no waiting).

    result = play(PracticeSession.for_agent(...), UnassistedAgent(skill=0.7, seed=1), ManualClock(t0))

The agent answers each customer message after its thinking and typing time; a message that
arrives while its reply is being written does not start another one, as with a person.
"""
from __future__ import annotations

from copilot.core.clock import ManualClock
from copilot.core.events import CustomerMessage
from copilot.practice.result import PracticeResult
from copilot.practice.scripted import UnassistedAgent
from copilot.practice.session import PracticeSession

STEP_SECONDS = 0.5
MAX_SECONDS = 3600.0  # a practice that somehow does not end is stopped after an hour


def play(session: PracticeSession, agent: UnassistedAgent, clock: ManualClock,
         step: float = STEP_SECONDS, max_seconds: float = MAX_SECONDS) -> PracticeResult:
    due: dict[str, tuple[float, str]] = {}  # chat -> (when the reply goes out, its text)
    deadline = clock.now() + max_seconds
    session.start()
    while not session.finished and clock.now() < deadline:
        now = clock.now()
        for chat_id, (at, text) in sorted(due.items(), key=lambda item: item[1][0]):
            if at <= now:
                del due[chat_id]
                if chat_id in session.open_chat_ids():
                    session.send(chat_id, text, now)
        for event in session.poll(now):
            if isinstance(event, CustomerMessage) and event.chat_id not in due:
                text = agent.respond(session, event.chat_id, event.ts)
                if text is not None:
                    due[event.chat_id] = (event.ts + agent.delay(text), text)
        if not session.finished:
            clock.advance(_next_step(session, due, now, step))
    return session.result if session.finished else session.end(clock.now())


def _next_step(session: PracticeSession, due: dict, now: float, step: float) -> float:
    """Jump over quiet stretches to the next reply due or the next thing the customer does; the
    result is the same as stepping through them, since the simulator keeps exact times."""
    upcoming = [at for at, _ in due.values()]
    customer = session.simulator.next_event_at()
    if customer is not None:
        upcoming.append(customer)
    return max(step, min(upcoming, default=now + step) - now)
