"""The simulator: arrivals, scripted replies, patience, scoring, reproducibility. No Qt."""
from __future__ import annotations

import time

import pytest

from copilot.core.clock import ManualClock
from copilot.core.events import ChatOpened, CustomerLeft, CustomerMessage
from copilot.sources import Simulator, SimulatorConfig, load_scenarios
from copilot.sources import lines as L


@pytest.fixture(scope="module")
def scenarios():
    loaded, problems = load_scenarios()
    assert problems == []
    return loaded


def one_chat(scenarios, scenario_id, **config):
    """A simulator with exactly one chat of `scenario_id`, opened at t=0."""
    sim = Simulator(scenarios, SimulatorConfig(seed=7, total_chats=1, scenario_ids=(scenario_id,), **config))
    clock = ManualClock(start=0.0)
    (opened, first) = sim.poll(clock.now())[:2]
    assert isinstance(opened, ChatOpened) and isinstance(first, CustomerMessage)
    run_until(sim, clock, 8)  # let multi-message openings finish
    return sim, clock, opened.chat_id


def run_until(sim, clock, until, step=1.0):
    events = []
    while clock.now() < until:
        events += sim.poll(clock.advance(step))
    return events


def texts(events):
    return [e.text for e in events if isinstance(e, CustomerMessage)]


def scripted_agent_run(sim, clock, seconds, reply_delay=4.0, step=0.5):
    """An agent who answers every customer message with hint_reply after `reply_delay`."""
    events, due = [], []
    while clock.now() < seconds:
        now = clock.advance(step)
        for chat_id, at in [d for d in due if d[1] <= now]:
            due.remove((chat_id, at))
            if chat_id in sim.open_chat_ids():
                sim.deliver(chat_id, sim.hint_reply(chat_id), now)
        for event in sim.poll(now):
            events.append(event)
            if isinstance(event, CustomerMessage):
                due.append((event.chat_id, now + reply_delay))
    return events


# ---- reproducibility and arrivals --------------------------------------------------------------
def test_same_seed_and_same_agent_give_the_same_events(scenarios):
    def run(seed, step):
        sim = Simulator(scenarios, SimulatorConfig(seed=seed, arrival_rate=3, max_concurrent=5, total_chats=12))
        return scripted_agent_run(sim, ManualClock(start=1000.0), 1000.0 + 900, step=step)

    first = run(11, 0.5)
    assert len(first) > 50
    assert first == run(11, 0.5)
    assert run(12, 0.5) != first
    # how often the caller polls changes nothing: all timing is on the simulated time line
    sim_a = Simulator(scenarios, SimulatorConfig(seed=5, arrival_rate=4, total_chats=10))
    sim_b = Simulator(scenarios, SimulatorConfig(seed=5, arrival_rate=4, total_chats=10))
    clock_a, clock_b = ManualClock(0.0), ManualClock(0.0)
    assert sim_a.poll(0.0) == sim_b.poll(0.0)  # the run starts at the first call's time
    assert run_until(sim_a, clock_a, 1200, step=0.1) == run_until(sim_b, clock_b, 1200, step=7.0)


def test_concurrency_cap_is_respected(scenarios):
    sim = Simulator(scenarios, SimulatorConfig(seed=3, arrival_rate=30, max_concurrent=3, total_chats=15))
    clock, open_now, peak = ManualClock(0.0), set(), 0
    while clock.now() < 4000:
        for event in sim.poll(clock.advance(1.0)):
            if isinstance(event, ChatOpened):
                open_now.add(event.chat_id)
            elif isinstance(event, CustomerLeft):
                open_now.discard(event.chat_id)
            peak = max(peak, len(open_now))
        assert len(open_now) <= 3
    stats = sim.stats()
    assert peak == 3 == stats.peak_concurrent
    assert stats.held_arrivals > 0 and stats.opened == 15 and stats.finished
    # the agent closing a chat frees a slot for the customer queued behind the cap
    sim = Simulator(scenarios, SimulatorConfig(seed=3, arrival_rate=60, max_concurrent=2))
    clock = ManualClock(0.0)
    opened = [e.chat_id for e in run_until(sim, clock, 30) if isinstance(e, ChatOpened)]
    assert len(opened) == 2
    sim.close(opened[0], resolved=False, now=clock.advance(1))
    assert [type(e) for e in sim.poll(clock.now())][:1] == [ChatOpened]


def test_arrival_rate_is_roughly_right(scenarios):
    sim = Simulator(scenarios, SimulatorConfig(seed=1, arrival_rate=2.0, max_concurrent=1000))
    events = run_until(sim, ManualClock(0.0), 3600, step=2.0)
    opened = [e for e in events if isinstance(e, ChatOpened)]
    assert 100 <= len(opened) <= 140  # 120 expected in an hour
    assert len({e.chat_id for e in opened}) == len(opened)
    gaps = [b.ts - a.ts for a, b in zip(opened, opened[1:])]
    assert len(set(round(g, 3) for g in gaps)) > len(gaps) * 0.9  # jittered, not a metronome


def test_total_chats_and_every_scenario_before_repeats(scenarios):
    sim = Simulator(scenarios, SimulatorConfig(seed=2, arrival_rate=10, max_concurrent=100, total_chats=len(scenarios) + 5))
    events = run_until(sim, ManualClock(0.0), 3600, step=5.0)
    opened = [e for e in events if isinstance(e, ChatOpened)]
    assert len(opened) == len(scenarios) + 5
    first_round = {e.scenario_id for e in opened[: len(scenarios)]}
    assert first_round == {s.id for s in scenarios}
    repeats = opened[len(scenarios):]
    for event in repeats:  # a repeat is another person with the same script
        original = next(e for e in opened if e.scenario_id == event.scenario_id)
        assert event.customer_name != original.customer_name
        assert event.customer_name.split()[0] == original.customer_name.split()[0]


# ---- what the customer says --------------------------------------------------------------------
def test_asking_for_the_order_number_gets_it(scenarios):
    sim, clock, chat = one_chat(scenarios, "order_status_where_is_it")
    sim.deliver(chat, "Sure, could you share your order number?", clock.advance(5))
    assert sim.outcome(chat).facts_collected == ()  # not until the reply is actually typed
    replies = texts(run_until(sim, clock, 30))
    assert len(replies) == 1 and "ORD-5530127" in replies[0]
    assert sim.outcome(chat).facts_collected == ("order_id",)
    sim.deliver(chat, "And your order id again?", clock.advance(1))
    assert "As I mentioned" in texts(run_until(sim, clock, 60))[0]


def test_asking_again_and_again_goes_in_circles_and_the_customer_leaves(scenarios):
    sim, clock, chat = one_chat(scenarios, "order_status_where_is_it")
    sim.deliver(chat, "Sure, could you share your order number?", clock.advance(5))
    run_until(sim, clock, 30)
    for _ in range(12):  # an agent stuck asking for what they already have
        if not sim.outcome(chat).is_open:
            break
        sim.deliver(chat, "Could you share your order number?", clock.advance(1))
        run_until(sim, clock, clock.now() + 40)
    outcome = sim.outcome(chat)
    assert not outcome.is_open and outcome.customer_left_unhappy
    assert outcome.unhelpful_replies >= 1


def test_customer_gets_impatient_then_leaves(scenarios):
    sim, clock, chat = one_chat(scenarios, "order_status_where_is_it")  # polite, patience 120
    assert run_until(sim, clock, 119) == []
    events = run_until(sim, clock, 1000)
    nudges = [e for e in events if isinstance(e, CustomerMessage)]
    assert [e.text for e in nudges[:3]] == list(L.IMPATIENT["polite"])
    assert [e.ts for e in nudges[:3]] == [120.0, 180.0, 240.0]
    assert nudges[-1].text == L.GIVE_UP["polite"]
    left = events[-1]
    assert isinstance(left, CustomerLeft) and not left.satisfied and left.ts == 300.0
    outcome = sim.outcome(chat)
    assert outcome.customer_left_unhappy and outcome.ended_by == "customer"
    assert outcome.impatient_messages == 3 and outcome.frustration_messages == 4
    assert sim.open_chat_ids() == []


def test_a_reply_resets_patience_and_holding_lines_only_buy_time(scenarios):
    sim, clock, chat = one_chat(scenarios, "order_status_terse")  # terse, patience 60
    sent_at = clock.advance(50)
    sim.deliver(chat, "Hi Marcus, let me check that for you", sent_at)
    assert run_until(sim, clock, sent_at + 59) == []  # patience restarted when the agent spoke
    assert texts(sim.poll(clock.advance(2))) == ["hello?"]
    sim.deliver(chat, "One moment please", clock.advance(1))
    sim.deliver(chat, "Thanks for your patience", clock.advance(1))
    assert texts(run_until(sim, clock, 140)) == [L.UNHELPFUL["terse"][0]]  # a third hold is not ok


def test_unhelpful_answers_make_the_customer_angrier_then_leave(scenarios):
    sim, clock, chat = one_chat(scenarios, "refund_status_jacket")  # angry
    said = []
    for _ in L.UNHELPFUL["angry"]:
        sim.deliver(chat, "Our store opens at 9am on weekdays.", clock.advance(2))
        said += run_until(sim, clock, clock.now() + 20)
    assert texts(said) == list(L.UNHELPFUL["angry"])
    assert isinstance(said[-1], CustomerLeft) and not said[-1].satisfied
    outcome = sim.outcome(chat)
    assert outcome.unhelpful_replies == 3 and outcome.frustration_messages == 3 and outcome.customer_left_unhappy


def test_offering_the_remedy_before_the_facts_does_not_count(scenarios):
    sim, clock, chat = one_chat(scenarios, "refund_status_jacket")
    sim.deliver(chat, "I've processed your refund, it'll show in 3-5 days.", clock.advance(3))
    assert texts(run_until(sim, clock, 30)) == ["Wait, don't you need my order number first?"]
    assert not sim.outcome(chat).resolved_correctly


def test_resolution_gets_thanks_then_a_satisfied_goodbye(scenarios):
    sim, clock, chat = one_chat(scenarios, "refund_status_jacket", linger=(30.0, 30.0))
    sim.deliver(chat, "Sorry about that! What's your order number?", clock.advance(3))
    run_until(sim, clock, 30)
    sim.deliver(chat, "Thanks. I've processed your refund of $89.00 now.", clock.advance(1))
    thanks = run_until(sim, clock, 45)
    assert texts(thanks) == ["Finally. Ok, thanks."]
    thanked_at = thanks[0].ts
    assert run_until(sim, clock, thanked_at + 29) == []
    left = run_until(sim, clock, thanked_at + 31)
    assert left == [CustomerLeft(chat, thanked_at + 30.0, satisfied=True)]
    outcome = sim.outcome(chat)
    assert outcome.resolved_correctly and outcome.customer_left_satisfied and not outcome.customer_left_unhappy
    assert outcome.agent_replies == 2 and outcome.frustration_messages == 0
    assert outcome.expected_resolution == "refund" and outcome.issue == "refund_status"


def test_agent_closing_first_ends_the_chat_quietly(scenarios):
    sim, clock, chat = one_chat(scenarios, "out_of_scope_job_openings")
    sim.deliver(chat, sim.hint_reply(chat), clock.advance(10))
    sim.close(chat, resolved=True, now=clock.advance(1))
    assert run_until(sim, clock, 600) == []  # no thanks, no nudges, no CustomerLeft
    outcome = sim.outcome(chat)
    assert outcome.ended_by == "agent" and outcome.agent_marked_resolved and outcome.resolved_correctly
    sim.deliver(chat, "hello?", clock.advance(1))  # a late send to an ended chat is ignored
    assert sim.outcome(chat).agent_replies == 1
    with pytest.raises(KeyError):
        sim.deliver("no-such-chat", "hi", clock.now())


def test_hint_reply_resolves_every_shipped_scenario(scenarios):
    for scenario in scenarios:
        sim = Simulator(scenarios, SimulatorConfig(seed=4, total_chats=1, scenario_ids=(scenario.id,)))
        scripted_agent_run(sim, ManualClock(0.0), 600)
        (outcome,) = sim.outcomes()
        assert sim.scenario_of(outcome.chat_id) is scenario
        assert outcome.resolved_correctly, scenario.id
        assert outcome.customer_left_satisfied and outcome.frustration_messages == 0, scenario.id
        assert outcome.facts_missing == (), scenario.id


def test_a_shift_with_many_chats_scores_and_summarises(scenarios):
    sim = Simulator(scenarios, SimulatorConfig(seed=9, arrival_rate=6, max_concurrent=20, total_chats=40))
    scripted_agent_run(sim, ManualClock(0.0), 3000, reply_delay=6.0)
    stats, outcomes = sim.stats(), sim.outcomes()
    assert stats.opened == 40 == len(outcomes) and stats.finished and stats.open_now == 0
    assert stats.resolved_correctly == sum(o.resolved_correctly for o in outcomes) == 40
    assert stats.agent_replies == sum(o.agent_replies for o in outcomes)
    assert all(o.first_response_seconds is not None and o.first_response_seconds >= 6.0 for o in outcomes)


# ---- the time line and speed -------------------------------------------------------------------
def test_simulator_never_reads_the_wall_clock(scenarios, monkeypatch):
    def forbidden():
        raise AssertionError("the simulator read the wall clock")

    sim = Simulator(scenarios, SimulatorConfig(seed=1, arrival_rate=5, total_chats=5))
    monkeypatch.setattr(time, "time", forbidden)
    monkeypatch.setattr(time, "monotonic", forbidden)
    clock = ManualClock(0.0)
    events = scripted_agent_run(sim, clock, 400)
    monkeypatch.undo()
    assert any(isinstance(e, ChatOpened) for e in events)


def test_polling_with_twenty_open_chats_keeps_them_going(scenarios):
    # Speed is measured by bench/ (no timing assertions here); this checks 10 Hz polling works at load.
    sim = Simulator(scenarios, SimulatorConfig(seed=1, arrival_rate=600, max_concurrent=20))
    clock = ManualClock(0.0)
    run_until(sim, clock, 10)
    assert sim.stats().open_now == 20
    events = 0
    for _ in range(3000):  # five minutes of 10 Hz polling
        events += len(sim.poll(clock.advance(0.1)))
    assert events > 0


def test_config_is_checked(scenarios):
    with pytest.raises(ValueError):
        SimulatorConfig(arrival_rate=0)
    with pytest.raises(ValueError):
        SimulatorConfig(max_concurrent=0)
    with pytest.raises(ValueError):
        SimulatorConfig(typing_delay=(5.0, 1.0))
    with pytest.raises(ValueError, match="unknown scenario ids: nope"):
        Simulator(scenarios, SimulatorConfig(scenario_ids=("nope",)))
    with pytest.raises(ValueError):
        Simulator([])
