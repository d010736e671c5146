"""The built-in chat source: scripted customers arriving, talking, waiting and leaving.

Everything happens on the time line of the `now` values the caller passes (an AcceleratedClock in
the app, a ManualClock in tests); the wall clock is never read. Future customer actions sit in one
heap ordered by (time, sequence), and every call first plays the heap up to `now`, so a run depends
only on the seed and on what the agent does when, not on how often poll() is called.
"""
from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from copilot.core.events import ChatOpened, CustomerLeft, CustomerMessage, Delivery, DeliveryUpdate, SourceEvent
from copilot.sources.customer import Customer
from copilot.sources.lines import SURNAMES
from copilot.sources.outcome import ChatOutcome, SimulatorStats
from copilot.sources.scenario import Scenario

_ARRIVE, _SAY, _LEAVE, _TIMER = "arrive", "say", "leave", "timer"


@dataclass(frozen=True)
class SimulatorConfig:
    seed: int = 0
    arrival_rate: float = 1.0  # new chats per (simulated) minute, Poisson arrivals
    max_concurrent: int = 4  # no new chat opens while this many are open; the arrival waits
    total_chats: int | None = None  # None: endless
    typing_delay: tuple[float, float] = (3.0, 10.0)  # seconds a customer takes to type a reply
    linger: tuple[float, float] = (20.0, 60.0)  # a satisfied customer leaves this long after thanking
    scenario_ids: tuple[str, ...] | None = None  # None: all scenarios given to the simulator
    first_chat_immediately: bool = True  # the first customer arrives at the first call's `now`
    id_prefix: str = "sim"

    def __post_init__(self) -> None:
        if self.arrival_rate <= 0:
            raise ValueError("arrival_rate must be positive (chats per minute)")
        if self.max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        if self.total_chats is not None and self.total_chats < 0:
            raise ValueError("total_chats must be None or >= 0")
        for name in ("typing_delay", "linger"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be a (low, high) range with 0 <= low <= high")


@dataclass
class _Run:
    """One simulated chat and its bookkeeping."""

    chat_id: str
    scenario: Scenario
    customer: Customer
    name: str
    opened_at: float
    rng: random.Random
    ended_at: float | None = None
    ended_by: str = ""
    left_satisfied: bool = False
    left_unhappy: bool = False
    agent_marked_resolved: bool = False
    resolved_at: float | None = None
    wait_since: float | None = None  # the customer expects an answer since then
    nudges: int = 0  # impatient lines said in the current wait
    timer_gen: int = 0  # bumps invalidate queued patience timers
    typing_until: float = 0.0  # the customer's replies come out in order
    agent_replies: int = 0
    customer_messages: int = 0
    impatient: int = 0
    frustrated: int = 0
    first_reply_at: float | None = None
    first_offer_at: float | None = None  # the agent first offered a correct resolution (maybe too early)
    fact_times: dict[str, float] = field(default_factory=dict)  # fact -> when the customer's answer arrived


class Simulator:
    """A ChatSource (copilot.core.source) driven by scenarios. It has no network: replies are
    confirmed (or fail, when the customer already left) at once, on the next poll."""

    kind = "simulator"

    def __init__(self, scenarios: list[Scenario], config: SimulatorConfig | None = None):
        self.config = config or SimulatorConfig()
        wanted = self.config.scenario_ids
        by_id = {s.id: s for s in scenarios}
        if wanted is not None:
            unknown = [sid for sid in wanted if sid not in by_id]
            if unknown:
                raise ValueError(f"unknown scenario ids: {', '.join(unknown)}")
            scenarios = [by_id[sid] for sid in wanted]
        if not scenarios:
            raise ValueError("the simulator needs at least one scenario")
        self._scenarios = list(scenarios)
        self._arrival_rng = random.Random(f"{self.config.seed}/arrivals")
        self._deck: list[Scenario] = []
        self._uses: dict[str, int] = {}
        self._heap: list[tuple[float, int, str, str, object]] = []
        self._seq = 0
        self._runs: dict[str, _Run] = {}
        self._outbox: list[SourceEvent] = []
        self._now: float | None = None
        self._open = 0
        self._peak = 0
        self._held = False  # an arrival is waiting for a free slot
        self._held_count = 0
        self.capacity = self.config.max_concurrent  # the agent may lower or raise it during the shift

    # ---- ChatSource --------------------------------------------------------------------------
    def start(self) -> None:
        pass  # nothing to connect to

    def stop(self) -> None:
        pass

    def poll(self, now: float) -> list[SourceEvent]:
        self._advance(now)
        events, self._outbox = self._outbox, []
        return events

    def send(self, chat_id: str, text: str, now: float, outbox_id: str = "") -> None:
        if self.deliver(chat_id, text, now):
            self._outbox.append(DeliveryUpdate(chat_id, outbox_id, Delivery.CONFIRMED, now))
        else:  # the customer already left; the agent's client did not know yet
            self._outbox.append(DeliveryUpdate(chat_id, outbox_id, Delivery.FAILED, now,
                                               "the customer had already left"))

    def deliver(self, chat_id: str, text: str, now: float) -> bool:
        """The customer reads the reply and reacts. False: they had already left."""
        now = self._advance(now)
        run = self._runs[chat_id]
        if run.ended_at is not None:
            return False
        run.agent_replies += 1
        run.first_reply_at = now if run.first_reply_at is None else run.first_reply_at
        self._stop_waiting(run)
        reaction = run.customer.react(text)
        if reaction.offered and run.first_offer_at is None:
            run.first_offer_at = now
        if reaction.kind == "hold":  # acknowledged, but they still want an answer
            self._start_waiting(run, now)
            return True
        if reaction.kind == "resolved":
            run.resolved_at = now
        t = now
        for index, line in enumerate(reaction.lines):
            t = max(t, run.typing_until) + run.rng.uniform(*self.config.typing_delay)
            run.typing_until = t
            last = index == len(reaction.lines) - 1
            reveals = reaction.reveals if last else ()
            self._push(t, _SAY, chat_id, (line, reaction.frustrated, reaction.waits and last, reveals))
        if reaction.leaves:
            self._push(t + 2.0, _LEAVE, chat_id, reaction.satisfied)
        elif reaction.kind == "resolved":
            self._push(t + run.rng.uniform(*self.config.linger), _LEAVE, chat_id, True)
        return True

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        now = self._advance(now)
        run = self._runs[chat_id]
        if run.ended_at is None:
            run.agent_marked_resolved = resolved
            self._end(run, now, "agent")

    # ---- for scripted agents and scoring ----------------------------------------------------
    def scenario_of(self, chat_id: str) -> Scenario:
        return self._runs[chat_id].scenario

    def hint_reply(self, chat_id: str) -> str:
        return self._runs[chat_id].customer.hint()

    def resolved(self, chat_id: str) -> bool:
        """The customer has accepted a correct resolution (cheaper than outcome() for a driver's loop)."""
        return self._runs[chat_id].customer.resolved

    def next_event_at(self) -> float | None:
        """When the next scripted thing happens (an arrival, a line, a patience timer), if anything is due:
        a driver on a manual clock may jump there instead of stepping through the quiet."""
        return self._heap[0][0] if self._heap else None

    def open_chat_ids(self) -> list[str]:  # the simulator's view: may lead the workspace by a poll
        return [run.chat_id for run in self._runs.values() if run.ended_at is None]

    def outcome(self, chat_id: str) -> ChatOutcome:
        run = self._runs[chat_id]
        customer, scenario = run.customer, run.scenario
        return ChatOutcome(
            chat_id=run.chat_id, scenario_id=scenario.id, issue=scenario.issue,
            expected_resolution=scenario.resolution.expected, customer_name=run.name,
            opened_at=run.opened_at, ended_at=run.ended_at, ended_by=run.ended_by,
            resolved_correctly=customer.resolved, resolved_at=run.resolved_at,
            agent_marked_resolved=run.agent_marked_resolved, customer_left_satisfied=run.left_satisfied,
            customer_left_unhappy=run.left_unhappy, frustration_messages=run.frustrated,
            impatient_messages=run.impatient, unhelpful_replies=customer.unhelpful_count,
            agent_replies=run.agent_replies, customer_messages=run.customer_messages,
            facts_collected=tuple(f for f in scenario.facts if f in customer.revealed),
            facts_missing=tuple(customer.missing()),
            first_response_seconds=None if run.first_reply_at is None else run.first_reply_at - run.opened_at,
            resolved_with=customer.resolved_with, first_offer_at=run.first_offer_at,
            facts_collected_at=tuple(sorted(run.fact_times.items(), key=lambda item: item[1])),
        )

    def outcomes(self) -> list[ChatOutcome]:
        return [self.outcome(chat_id) for chat_id in self._runs]

    def stats(self) -> SimulatorStats:
        runs, total = list(self._runs.values()), self.config.total_chats
        return SimulatorStats(
            opened=len(runs), open_now=self._open,
            closed_by_agent=sum(r.ended_by == "agent" for r in runs),
            left_satisfied=sum(r.left_satisfied for r in runs),
            left_unhappy=sum(r.left_unhappy for r in runs),
            resolved_correctly=sum(r.customer.resolved for r in runs),
            peak_concurrent=self._peak, held_arrivals=self._held_count,
            customer_messages=sum(r.customer_messages for r in runs),
            agent_replies=sum(r.agent_replies for r in runs),
            frustration_messages=sum(r.frustrated for r in runs),
            finished=total is not None and len(runs) >= total and self._open == 0,
        )

    # ---- the time line -----------------------------------------------------------------------
    def _advance(self, now: float) -> float:
        if self._now is None:
            self._now = now
            first = now if self.config.first_chat_immediately else now + self._interarrival()
            self._push(first, _ARRIVE, "", None)
        now = max(now, self._now)  # time never runs backwards for the customers
        self._now = now
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _, action, chat_id, payload = heapq.heappop(heap)
            if action == _ARRIVE:
                self._arrive(due)
                continue
            run = self._runs[chat_id]
            if run.ended_at is not None:
                continue  # whatever the customer was about to do, they are gone
            if action == _SAY:
                text, frustrated, waits, reveals = payload  # type: ignore[misc]
                self._say(run, due, text, frustrated)
                run.customer.delivered(reveals)
                for fact in reveals:
                    run.fact_times.setdefault(fact, due)
                if waits and run.wait_since is None:
                    self._start_waiting(run, due)
            elif action == _LEAVE:
                self._leave(run, due, satisfied=bool(payload))
            elif action == _TIMER and payload == run.timer_gen and run.wait_since is not None:
                self._lose_patience(run, due)
        return now

    def _push(self, due: float, action: str, chat_id: str, payload: object) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, action, chat_id, payload))

    def _interarrival(self) -> float:
        return self._arrival_rng.expovariate(self.config.arrival_rate / 60.0)

    def _arrive(self, ts: float) -> None:
        total = self.config.total_chats
        if total is not None and len(self._runs) >= total:
            return
        if self._open >= self.capacity:
            self._held, self._held_count = True, self._held_count + 1
            return  # opens when a slot frees (see _end)
        self._open_chat(ts)
        if total is None or len(self._runs) < total:
            self._push(ts + self._interarrival(), _ARRIVE, "", None)

    def _open_chat(self, ts: float) -> None:
        if not self._deck:  # deal every scenario once before repeating any
            self._deck = self._arrival_rng.sample(self._scenarios, len(self._scenarios))
        scenario = self._deck.pop()
        number = len(self._runs) + 1
        chat_id = f"{self.config.id_prefix}-{number:04d}"
        rng = random.Random(f"{self.config.seed}/chat/{number}")
        uses = self._uses.get(scenario.id, 0)
        self._uses[scenario.id] = uses + 1
        name = scenario.persona.name
        if uses:  # a repeat of the same script: a different person, at least by surname
            name = f"{name.split()[0]} {rng.choice(SURNAMES)}"
        run = _Run(chat_id, scenario, Customer(scenario, rng), name, ts, rng, typing_until=ts)
        self._runs[chat_id] = run
        self._open += 1
        self._peak = max(self._peak, self._open)
        self._outbox.append(ChatOpened(chat_id, name, ts, scenario_id=scenario.id))
        lines = run.customer.opening()
        self._say(run, ts, lines[0], False)
        t = ts
        for line in lines[1:]:
            t += run.rng.uniform(*self.config.typing_delay) / 2  # follow-ups come quickly
            self._push(t, _SAY, chat_id, (line, False, False, ()))
        run.typing_until = t
        self._start_waiting(run, ts)

    def _say(self, run: _Run, ts: float, text: str, frustrated: bool) -> None:
        run.customer_messages += 1
        run.frustrated += frustrated
        self._outbox.append(CustomerMessage(run.chat_id, text, ts))

    # ---- patience ----------------------------------------------------------------------------
    def _start_waiting(self, run: _Run, ts: float) -> None:
        run.wait_since, run.nudges = ts, 0
        run.timer_gen += 1
        self._push(ts + run.scenario.persona.patience, _TIMER, run.chat_id, run.timer_gen)

    def _stop_waiting(self, run: _Run) -> None:
        run.wait_since = None
        run.timer_gen += 1

    def _lose_patience(self, run: _Run, ts: float) -> None:
        """Nudge at patience, then every half-patience; after the last nudge, give up."""
        line = run.customer.nudge(run.nudges)
        if line is None:
            self._say(run, ts, run.customer.give_up_line(), True)
            self._leave(run, ts, satisfied=False)
            return
        self._say(run, ts, line, True)
        run.impatient += 1
        run.nudges += 1
        since = ts if run.wait_since is None else run.wait_since  # 0.0 is a valid time
        self._push(since + run.scenario.persona.patience * (1 + 0.5 * run.nudges), _TIMER, run.chat_id, run.timer_gen)

    def _leave(self, run: _Run, ts: float, satisfied: bool) -> None:
        run.left_satisfied, run.left_unhappy = satisfied, not satisfied
        self._outbox.append(CustomerLeft(run.chat_id, ts, satisfied=satisfied))
        self._end(run, ts, "customer")

    def _end(self, run: _Run, ts: float, by: str) -> None:
        run.ended_at, run.ended_by = ts, by
        self._stop_waiting(run)
        self._open -= 1
        if self._held:  # the customer queued behind the cap gets this slot now
            self._held = False
            self._push(ts, _ARRIVE, "", None)
