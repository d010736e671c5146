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


# ---- in live work: the window and the workspace -------------------------------------------------
def _blind_harness(qtbot, every: int = 2):
    from copilot.practice.blind_first import BlindFirst
    from tests.window_harness import Harness

    h = Harness(qtbot)
    h.ws.blind = BlindFirst(every, recorder=h.recorder, seed=3)
    h.ws.categories = frozenset(h.engine.playbooks)
    return h


def test_a_sampled_chat_hides_its_suggestion_until_the_agent_names_the_issue(qtbot):
    from PySide6.QtCore import Qt

    h = _blind_harness(qtbot, every=2)
    for i in range(4):
        h.customer(f"c{i}", "My parcel is late", name=f"Customer {i}")
    blind = [c for c in h.ws.chats if h.ws.suggestion_for(c).blind]
    assert len(blind) == 2  # exactly one chat in each block of two
    chat_id = blind[0]
    h.ws.focus(chat_id)
    panel = h.window.diagnosis_panel
    assert panel.blind.isVisibleTo(h.window) and panel.blind_list.count() >= 18
    assert h.window.draft_panel.text.toPlainText() == "" and h.ws.accept(chat_id) is None
    assert not [f for k, _, f in h.recorder.records if k == "suggestion_shown" and f["chat_id"] == chat_id]
    # Alt+I, pick "Damaged item", Enter: the agent's own diagnosis, then a draft for it
    h.window.activateWindow()
    qtbot.waitUntil(h.window.isActiveWindow, timeout=3000)
    qtbot.keyClick(h.window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    row = next(r for r in range(panel.blind_list.count())
               if panel.blind_list.item(r).data(Qt.ItemDataRole.UserRole) == "damaged_item")
    panel.blind_list.setCurrentRow(row)
    qtbot.keyClick(panel.blind_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: h.ws.suggestion_for(chat_id).suggestion.diagnosis.chosen_by_agent, timeout=3000)
    assert h.window.draft_panel.text.toPlainText().endswith("(damaged_item)")
    pick = [f for k, _, f in h.recorder.records if k == "blind_pick"][-1]
    assert (pick["chosen"], pick["engine_category"], pick["agreed_engine"]) == ("damaged_item", "late_delivery", False)
    h.ws.accept(chat_id)
    h.window.end_chat(resolved=True)
    outcome = [f for k, _, f in h.recorder.records if k == "blind_outcome"][-1]
    assert outcome["final_category"] == "damaged_item" and outcome["agent_right"] is True
    h.close()


def test_skipping_the_pick_shows_the_engines_suggestion(qtbot):
    h = _blind_harness(qtbot, every=2)
    h.customer("a", "My parcel is late")
    h.customer("b", "My parcel is late", name="Bo")
    chat_id = next(c for c in h.ws.chats if h.ws.suggestion_for(c).blind)
    h.ws.focus(chat_id)
    h.window.diagnosis_panel.blind_skip.click()
    assert h.window.diagnosis_panel.category.text() == "Late delivery"
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 17-character message."
    pick = [f for k, _, f in h.recorder.records if k == "blind_pick"][-1]
    assert pick["chosen"] == "" and pick["agreed_engine"] is False
    h.close()


def test_blind_first_is_off_by_default():
    from copilot.settings import Settings

    assert Settings().blind_first_every == 0
