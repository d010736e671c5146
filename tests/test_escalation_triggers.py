"""Each escalation trigger on hand-built chats, the tracker's once-per-type rule, and the scoring.
No engine, no simulator: diagnoses are built by hand."""
from __future__ import annotations

import pytest

from copilot.assist.escalation import EscalationDetector, EscalationTracker, EscalationType
from copilot.assist.escalation.scoring import Detected, score
from copilot.core.chat import Message, Sender
from copilot.core.suggestion import CategoryScore, Diagnosis

C, A = Sender.CUSTOMER, Sender.AGENT


def chat(*turns, start=100.0):
    """turns: (sender, text) or (sender, text, frustration); one second apart from `start`."""
    out = []
    for i, turn in enumerate(turns):
        sender, text, *rest = turn
        out.append(Message("c1", sender, text, start + i, frustration=rest[0] if rest else 0.0))
    return out


def diag(category="late_delivery", confidence=0.9, abstained=False, needs_human=False, missing=()):
    label = category.replace("_", " ").capitalize()
    return Diagnosis(top=(CategoryScore(category, label, confidence),), abstained=abstained,
                     needs_human=needs_human, missing=tuple(missing))


detector = EscalationDetector()


# ---- emotional ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,what", [
    ("Fix it or I'll cancel my account and leave a review everywhere.", "leave a bad review"),
    ("I want to speak to your manager.", "complain"),
    ("I'm going to file a complaint with trading standards", "complain"),
    ("Sort it today or I'll do a chargeback.", "charge back"),
    ("I'm posting this on Twitter.", "go to social media"),
    ("My lawyer will hear about this", "take legal action"),
    ("I'll take my business elsewhere.", "leave"),
])
def test_threats_are_emotional_escalations_quoting_the_words(text, what):
    msgs = chat((C, "my parcel is late"), (A, "Could I have the order number?"), (C, text))
    found = detector.detect(msgs)
    assert found.type is EscalationType.EMOTIONAL and found.reason == "threat"
    assert found.trigger.startswith(f"threatens to {what}: '") and found.message_id == msgs[-1].id
    assert found.ts == 102.0 and found.chat_id == "c1"


def test_closing_an_account_is_a_threat_only_when_said_in_frustration():
    calm = chat((C, "Please close my account, I don't use it any more.", 0.0))
    upset = chat((C, "Close my account. I'm sick of this.", 0.5))
    assert detector.emotional(calm) is None
    assert detector.emotional(upset).reason == "threat"


def test_an_angry_message_escalates_on_its_own():
    found = detector.emotional(chat((C, "WHERE IS MY ORDER. THIS IS A JOKE", 0.8)))
    assert found.reason == "anger" and "frustration 0.80" in found.trigger


def test_contempt_is_anger_even_when_the_score_is_low():
    found = detector.emotional(chat((C, "Are you even reading what I write?? Useless.", 0.25)))
    assert found.reason == "anger"
    assert found.trigger == "angry message (frustration 0.25): 'Are you even reading what I write?'"
    assert detector.emotional(chat((C, "thats a joke. want the 150 back", 0.25))) is None  # annoyed, not contempt


def test_frustration_rising_across_three_messages():
    rising = chat((C, "hi", 0.1), (A, "hello"), (C, "still waiting", 0.3), (A, "checking"), (C, "come on", 0.5))
    found = detector.emotional(rising)
    assert found.reason == "frustration_rising"
    assert found.trigger == "frustration rose across 3 messages (0.1 → 0.3 → 0.5)"
    assert detector.emotional(chat((C, "a", 0.2), (C, "b", 0.5), (C, "c", 0.45))) is None  # fell back
    assert detector.emotional(chat((C, "a", 0.0), (C, "b", 0.1), (C, "c", 0.15))) is None  # rising but calm
    assert detector.emotional(chat((C, "a", 0.3), (C, "b", 0.35), (C, "c", 0.4))) is None  # too little rise
    assert detector.emotional(chat((C, "a", 0.2), (C, "b", 0.5))) is None  # only two messages


def test_ordinary_annoyance_is_not_an_escalation():
    assert detector.detect(chat((C, "hi, i sent back a jacket 3 weeks ago and still no refund??", 0.3))) is None


# ---- technical ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,what", [
    ("Someone changed the email on my account and I can't log in", "signs of account takeover"),
    ("There are two orders I didn't place on my account", "signs of account takeover"),
    ("my account got hacked", "signs of account takeover"),
    ("The charger started smoking last night", "a safety hazard"),
    ("It says payment blocked: account under security review", "a payment held by the fraud checks"),
])
def test_a_human_must_act_on_takeover_safety_and_fraud_holds(text, what):
    found = detector.detect(chat((C, text)))
    assert found.type is EscalationType.TECHNICAL and found.reason == "must_act"
    assert found.trigger.startswith(f"a human must act: {what}: '")


def test_a_failed_step_counts_only_after_the_agent_gave_one():
    failed = "I tried the reset link but it says the link has expired"
    assert detector.detect(chat((C, failed))) is None  # an opening describes the problem, no step yet
    found = detector.detect(chat((C, "can't log in"), (A, "I've sent a reset link."), (C, failed)))
    assert found.reason == "step_failed" and found.trigger == f"a required step failed: '{failed}'"
    ok = chat((C, "can't log in"), (A, "I've sent a reset link."), (C, "got it, that worked, thanks"))
    assert detector.detect(ok) is None


def test_a_repeated_question_by_similarity_or_by_saying_so():
    question = "Will my order arrive before Friday?"
    again = chat((C, question), (A, "Could I have your order number?"), (C, "ORD-1"), (A, "Thanks."),
                 (C, "will my order arrive before friday??"))
    assert detector.detect(again).reason == "repeated"
    said = chat((C, "Can I return shoes?"), (A, "Our shoes are great."), (C, "That doesn't answer my question."))
    assert detector.detect(said).trigger == "customer repeated the question: 'That doesn't answer my question.'"
    unanswered = chat((C, question), (C, question))  # sent twice before the agent spoke: not a repeat
    assert detector.detect(unanswered) is None
    assert detector.detect(chat((C, "ok thanks"), (A, "Anything else?"), (C, "ok thanks"))) is None  # too short


def test_needs_human_counts_when_the_diagnosis_holds_for_two_messages():
    msgs = chat((C, "charged twice for one order"), (A, "Order number?"), (C, "ORD-5"))
    first, second = msgs[0].id, msgs[2].id
    sure = diag("charged_twice", needs_human=True)
    found = detector.technical(msgs, {first: sure, second: sure})
    assert found.reason == "needs_human" and found.trigger == "playbook says a human must act: Charged twice"
    assert detector.technical(msgs[:1], {first: sure}) is None  # one message can be a passing misreading
    assert detector.technical(msgs, {first: diag("wrong_item"), second: sure}) is None
    other = diag("defective_product", needs_human=True)
    assert detector.technical(msgs, {first: other, second: sure}) is None


def test_abstaining_twice_on_questions_that_look_in_scope():
    msgs = chat((C, "my loyalty points from three orders never showed up?"), (A, "Let me look."),
                (C, "thanks"), (A, "..."), (C, "it was 2400 points and now the app says zero, why?"))
    lost = diag("account_access", 0.28, abstained=True)
    ids = [m.id for m in msgs if m.sender is C]
    found = detector.technical(msgs, {ids[0]: lost, ids[1]: lost, ids[2]: lost})
    assert found.reason == "abstained"
    assert found.trigger == "the engine has no confident diagnosis twice in a row (closest: Account access 28%)"
    out_of_scope = diag("account_access", 0.03, abstained=True)  # chit-chat: abstaining is right
    assert detector.technical(msgs, {ids[0]: out_of_scope, ids[2]: out_of_scope}) is None
    assert detector.technical(msgs, {ids[0]: diag("account_access"), ids[2]: lost}) is None  # only once


# ---- the tracker -------------------------------------------------------------------------------
def test_tracker_reports_each_type_once_with_its_time():
    tracker = EscalationTracker()
    msgs = chat((C, "Someone hacked my account!"))
    (first,) = tracker.observe("c1", msgs, now=150.0)
    assert first.type is EscalationType.TECHNICAL and first.ts == 150.0 and first.message_id == msgs[0].id
    assert tracker.observe("c1", msgs, diag("account_access"), now=151.0) == []  # the diagnosis arrives: nothing new
    msgs += chat((A, "Checking."), (C, "I'm reporting you to trading standards", 0.6), start=160.0)
    (second,) = tracker.observe("c1", msgs)
    assert second.type is EscalationType.EMOTIONAL and second.ts == msgs[-1].ts
    assert tracker.escalations("c1") == (first, second)
    assert tracker.current("c1") == second  # the emotional one is the urgent one
    assert tracker.escalated_since("c1") == 150.0
    assert second.record_fields() == {"chat_id": "c1", "type": "emotional", "reason": "threat",
                                      "trigger": second.trigger, "message_id": msgs[-1].id}
    tracker.forget("c1")
    assert tracker.escalations("c1") == () and tracker.current("c1") is None
    assert tracker.observe("c2", chat((A, "Hello!"))) == []  # no customer message yet


def test_tracker_keeps_diagnoses_per_message_for_the_twice_in_a_row_rules():
    tracker = EscalationTracker()
    msgs = chat((C, "I was charged twice for my order"))
    assert tracker.observe("c1", msgs, diag("charged_twice", needs_human=True)) == []
    msgs += chat((A, "Which order?"), (C, "ORD-77"), start=110.0)
    assert tracker.observe("c1", msgs) == []  # diagnosis not there yet
    (found,) = tracker.observe("c1", msgs, diag("charged_twice", needs_human=True))
    assert found.reason == "needs_human" and found.message_id == msgs[-1].id

    late = EscalationTracker()  # the first diagnosis arrives only after the second message (stale)
    late.observe("c1", msgs)
    assert late.observe("c1", msgs, diag("charged_twice", needs_human=True), message_id=msgs[0].id) == []
    (found,) = late.observe("c1", msgs, diag("charged_twice", needs_human=True))
    assert found.reason == "needs_human"


# ---- scoring -----------------------------------------------------------------------------------
class S:
    def __init__(self, type, at_message):
        self.type, self.at_message = type, at_message


def test_scoring_counts_matches_within_one_message_and_of_the_right_type():
    scripted = {"a": [S("emotional", 3)], "b": [S("technical", 1)], "c": [], "d": [S("technical", 2)]}
    detected = [Detected("a", "emotional", 4), Detected("b", "emotional", 1), Detected("c", "technical", 2),
                Detected("d", "technical", 5)]
    result = score(scripted, detected)
    assert [m[0] for m in result.matched] == ["a"]
    assert {(d.chat_id, d.type) for d in result.false_alarms} == {("b", "emotional"), ("c", "technical"),
                                                                   ("d", "technical")}
    assert sorted(m[0] for m in result.missed) == ["b", "d"]
    assert result.precision == 0.25 and result.recall == pytest.approx(1 / 3)
    assert result.summary()["emotional"] == {"scripted": 1, "detected": 2, "matched": 1, "precision": 0.5,
                                             "recall": 1.0}
    assert score({}, []).precision is None
