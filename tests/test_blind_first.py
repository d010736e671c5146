"""Blind-first sampling: exactly one chat in N, at an unpredictable place; the records it writes. No Qt."""
from __future__ import annotations

from collections import Counter

import pytest

from copilot.core.recorder import MemoryRecorder
from copilot.practice.blind_first import BlindFirst, check_every
from copilot.settings import Settings


def test_off_by_default_and_zero_is_off():
    assert Settings().blind_first_every == 0
    blind = BlindFirst(0)
    assert not blind.enabled
    assert not any(blind.chat_opened(f"c{i}") for i in range(50))


@pytest.mark.parametrize("every", [1, -3, 101])
def test_a_rate_out_of_range_is_refused_clearly(every):
    with pytest.raises(ValueError, match="one chat in N with N from 2 to 100, or 0 for off"):
        check_every(every)
    with pytest.raises(ValueError, match="one chat in N"):
        Settings(blind_first_every=every).validated()


def test_exactly_one_chat_per_block_of_n_at_varying_places():
    blind = BlindFirst(5, seed="s1")
    picks = [blind.chat_opened(f"c{i}") for i in range(500)]
    blocks = [picks[i:i + 5] for i in range(0, 500, 5)]
    assert all(sum(block) == 1 for block in blocks)
    positions = Counter(block.index(True) for block in blocks)
    assert set(positions) == set(range(5))  # the agent cannot tell which chat it will be
    assert max(positions.values()) < 40
    # the same seed samples the same chats; another does not
    again = BlindFirst(5, seed="s1")
    assert [again.chat_opened(f"c{i}") for i in range(500)] == picks
    other = BlindFirst(5, seed="s2")
    assert [other.chat_opened(f"c{i}") for i in range(500)] != picks
    # asking again about a chat does not move the sampling on
    assert blind.chat_opened("c499") == picks[499]


def test_a_pick_and_the_outcome_are_recorded_with_agreement():
    recorder = MemoryRecorder()
    blind = BlindFirst(2, recorder, seed=0)
    sampled = next(f"c{i}" for i in range(10) if blind.chat_opened(f"c{i}", now=100.0 + i))
    assert blind.is_blind(sampled)
    assert not blind.picked("other", "late_delivery", "late_delivery", 1, 110.0)
    assert blind.picked(sampled, "late_delivery", "order_status", 7, 130.0)
    assert not blind.is_blind(sampled) and not blind.picked(sampled, "x", "y", 7, 131.0)  # only once
    assert blind.chat_ended(sampled, "late_delivery", 200.0)
    (pick_kind, ts, pick), (outcome_kind, _, outcome) = recorder.records
    assert pick_kind == "blind_pick" and ts == 130.0
    assert pick["chosen"] == "late_delivery" and pick["engine_category"] == "order_status"
    assert pick["agreed_engine"] is False and pick["suggestion_id"] == 7 and pick["seconds"] > 0
    assert outcome_kind == "blind_outcome"
    assert outcome["agent_right"] is True and outcome["engine_right"] is False
    assert outcome["final_category"] == "late_delivery"


def test_unknown_outcome_skip_and_unpicked_chats():
    recorder = MemoryRecorder()
    blind = BlindFirst(2, recorder, seed=3)
    sampled = [c for c in (f"c{i}" for i in range(8)) if blind.chat_opened(c)]
    first, second, third = sampled[:3]
    blind.picked(first, "damaged_item", "damaged_item", None, 10.0)
    blind.chat_ended(first, "", 20.0)  # the final category is not known
    blind.picked(second, "", "damaged_item", None, 10.0)  # skipped: "show me the suggestion"
    blind.chat_ended(second, "damaged_item", 20.0)
    assert not blind.chat_ended(third, "damaged_item", 20.0)  # never picked: nothing to compare
    outcomes = [f for kind, _, f in recorder.records if kind == "blind_outcome"]
    assert outcomes[0]["agent_right"] is None and outcomes[0]["engine_right"] is None
    assert outcomes[1]["agent_right"] is None and outcomes[1]["engine_right"] is True
    picks = [f for kind, _, f in recorder.records if kind == "blind_pick"]
    assert picks[1]["chosen"] == "" and picks[1]["agreed_engine"] is False
