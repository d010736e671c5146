"""Scoring a practice chat: each part explained, deterministic, and the one tip. Chats are played for
real through a practice session (the simulator's customers react), with the agent's words scripted here."""
from __future__ import annotations

import pytest

from copilot.core.clock import ManualClock
from copilot.practice.issues import issue_label
from copilot.practice.promises import promises_for
from copilot.practice.scoring import score_chat
from copilot.practice.session import PracticeSession
from copilot.sources import load_scenarios


@pytest.fixture(scope="module")
def scenarios():
    loaded, problems = load_scenarios()
    assert problems == []
    return {s.id: s for s in loaded}


def play_lines(scenario, lines, name=None, rename=None, step=20.0):
    """One chat of `scenario`; the agent names `name` first (then `rename`) and says `lines`, `step` s apart."""
    session = PracticeSession("ann", [scenario], 0.0, seed=3)
    clock = ManualClock(0.0)
    (chat_id,) = [e.chat_id for e in session.poll(clock.now()) if type(e).__name__ == "ChatOpened"]
    session.poll(clock.advance(15))  # the opening lines
    if name:
        assert session.name_issue(chat_id, name, clock.now())
    for number, line in enumerate(lines):
        if number == 1 and rename:
            assert session.name_issue(chat_id, rename, clock.now())
        session.send(chat_id, scenario.fill(line), clock.advance(step))
        session.poll(clock.advance(step))
    while chat_id in session.open_chat_ids() and clock.now() < 3600:
        session.poll(clock.advance(10))
    assert session.finished
    return session, chat_id


def ask(scenario, fact):
    return scenario.rule_revealing(fact).ask


def test_a_model_chat_scores_full_marks_with_nothing_to_improve(scenarios):
    vase = scenarios["damaged_item_cracked_vase"]
    session, chat_id = play_lines(vase, [f"{ask(vase, 'order_id')} {ask(vase, 'photos')}", vase.resolution.offer,
                                         "Anything else I can do?"], name="damaged_item")
    score = session.chat_score(chat_id)
    assert score.score == 100.0
    assert [p.key for p in score.parts] == ["diagnosis", "facts", "resolution", "promises", "satisfaction", "time"]
    assert sum(p.max_points for p in score.parts) == 100.0
    assert score.part("facts").why == "2 of 2 needed fact(s) collected before offering a resolution."
    assert "Nothing to improve" in score.tip
    # scoring the same record again gives the same result
    chat = session.chats[chat_id]
    assert score_chat(chat, promises_for(chat.scenario)) == score


def test_an_early_offer_costs_the_facts_given_after_it(scenarios):
    vase = scenarios["damaged_item_cracked_vase"]
    session, chat_id = play_lines(vase, [ask(vase, "order_id"), vase.resolution.offer, ask(vase, "photos"),
                                         vase.resolution.offer], name="damaged_item")
    score = session.chat_score(chat_id)
    facts = score.part("facts")
    assert facts.points == 10.0
    assert facts.why == ("1 of 2 needed fact(s) collected before offering a resolution; "
                         "asked for the photos only after offering.")
    assert score.part("resolution").points == 25.0  # resolved in the end
    assert score.tip.startswith("Ask for the photos before you offer 'replacement'. For example: \"Could you send")


def test_a_wrong_first_diagnosis_put_right_gets_half(scenarios):
    vase = scenarios["damaged_item_cracked_vase"]
    session, chat_id = play_lines(vase, [f"{ask(vase, 'order_id')} {ask(vase, 'photos')}", vase.resolution.offer],
                                  name="wrong_item", rename="damaged_item")
    diagnosis = session.chat_score(chat_id).part("diagnosis")
    assert diagnosis.points == 10.0
    assert diagnosis.why == (f"You first named {issue_label('wrong_item')}, then corrected it to "
                             f"{issue_label('damaged_item')}.")


def test_a_forbidden_promise_loses_its_part_and_is_quoted(scenarios):
    vase = scenarios["damaged_item_cracked_vase"]
    offer = vase.resolution.offer + " I guarantee it won't happen again."
    session, chat_id = play_lines(vase, [f"{ask(vase, 'order_id')} {ask(vase, 'photos')}", offer],
                                  name="damaged_item")
    score = session.chat_score(chat_id)
    promises = score.part("promises")
    assert promises.points == 0.0
    assert '"I guarantee"' in promises.why and "never guarantee an outcome" in promises.why
    assert '"won\'t happen again"' in promises.why
    assert score.score == 85.0
    assert score.tip.startswith('Don\'t write "I guarantee"')


def test_an_alternative_correct_resolution_counts(scenarios):
    vase = scenarios["damaged_item_cracked_vase"]
    refund = vase.alternatives[0]
    session, chat_id = play_lines(vase, [f"{ask(vase, 'order_id')} {ask(vase, 'photos')}", refund.offer],
                                  name="damaged_item")
    score = session.chat_score(chat_id)
    assert score.part("resolution").why == "You offered 'refund', a correct resolution."
    assert score.score == 100.0


def test_unhelpful_answers_until_the_customer_leaves(scenarios):
    pan = scenarios["damaged_item_dented_pan"]  # terse: leaves after three unhelpful answers
    session, chat_id = play_lines(pan, ["Have you tried turning it off and on?"] * 3, name="defective_product")
    score = session.chat_score(chat_id)
    assert score.part("satisfaction").why == "The customer left unhappy after 3 unhelpful answer(s)."
    assert score.part("resolution").why == "No correct resolution was offered (it needed 'replacement')."
    assert score.part("time").points == 0.0 and score.part("diagnosis").points == 0.0
    assert score.part("facts").why == "0 of 1 needed fact(s) collected; never got the order number."
    assert score.score == 15.0  # only the promises part: nothing forbidden was said
    assert score.seconds is None
    assert score.tip.startswith("Read the opening again:")
    assert f"points to {issue_label('damaged_item')}, not {issue_label('defective_product')}" in score.tip


def test_time_points_fall_linearly_from_the_target_to_three_times_it(scenarios):
    pan = scenarios["damaged_item_dented_pan"]
    target = pan.expectations.target_seconds
    seen = []
    for step in (8.0, 25.0, 35.0):
        session, chat_id = play_lines(pan, [ask(pan, "order_id"), pan.resolution.offer], name="damaged_item",
                                      step=step)
        score = session.chat_score(chat_id)
        assert score.seconds is not None, score.part("satisfaction").why
        expected = 10.0 if score.seconds <= target else max(0.0, 10.0 * (3 * target - score.seconds) / (2 * target))
        assert score.part("time").points == pytest.approx(expected)
        seen.append(score.part("time").points)
    assert seen[0] == 10.0 and 0.0 < seen[-1] < 10.0, seen  # in time, and late but not three times late


def test_no_issue_named_scores_no_diagnosis_and_says_so(scenarios):
    pan = scenarios["damaged_item_dented_pan"]
    session, chat_id = play_lines(pan, [ask(pan, "order_id"), pan.resolution.offer])
    score = session.chat_score(chat_id)
    assert score.part("diagnosis").why == f"No issue was named; it was {issue_label('damaged_item')}."
    assert score.tip.startswith("Name the issue as soon as you know it.")
