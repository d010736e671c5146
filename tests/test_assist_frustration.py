"""Frustration score: each cue raises it, calm messages stay low, always within 0..1."""
from copilot.assist.frustration import score
from copilot.core.chat import Message, Sender


def msg(text, sender=Sender.CUSTOMER, ts=0.0):
    return Message("c1", sender, text, ts)


def test_calm_message_is_low():
    assert score("Hi, could you check my order please? Thanks!", [], 0.0) < 0.15


def test_angry_wording_raises_it():
    calm = score("my order is late", [], 0.0)
    angry = score("this is ridiculous, worst service ever, my order is late", [], 0.0)
    assert angry >= calm + 0.3


def test_capitals_and_punctuation_raise_it():
    assert score("WHERE IS MY ORDER???", [], 0.0) > score("where is my order?", [], 0.0) + 0.3


def test_repeating_yourself_raises_it():
    history = [msg("where is my order 48213?"), msg("Let me check", Sender.AGENT)]
    assert score("where is my order 48213??", history, 0.0) > score("where is my order 48213??", [], 0.0)


def test_waiting_raises_it_monotonically():
    text = "hello?"
    values = [score(text, [], w) for w in (0, 30, 120, 300, 600, 3600)]
    assert values == sorted(values) and values[-1] - values[0] >= 0.25


def test_unanswered_messages_in_a_row_raise_it():
    history = [msg("hi"), msg("my parcel is late"), msg("anyone?")]
    assert score("hello", history, 0.0) > score("hello", [], 0.0)


def test_bounded():
    worst = "THIS IS RIDICULOUS!!! WORST SCAM EVER, I WILL SUE, F*** YOU, STILL WAITING!!!"
    history = [msg(worst)] * 4
    assert score(worst, history, 10_000) == 1.0
    assert score("", [], 0.0) == 0.0


def test_shouted_words_count_but_acronyms_do_not():
    assert score("my TV from UPS is late", [], 0.0) < 0.1
    assert score("It has been TWELVE days, the SECOND time with you people", [], 0.0) >= 0.5
