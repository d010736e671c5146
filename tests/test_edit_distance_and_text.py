"""Edit distance between draft and sent text, and making hostile customer text displayable."""
from __future__ import annotations

import pytest

from copilot.core.display_text import DISPLAY_LIMIT, displayable, preview
from copilot.core.edit_distance import levenshtein, normalised_edit_distance


@pytest.mark.parametrize(("a", "b", "expected"), [("", "", 0), ("abc", "abc", 0), ("kitten", "sitting", 3), ("", "ab", 2)])
def test_levenshtein(a, b, expected):
    assert levenshtein(a, b) == expected


def test_normalised_distance_bounds():
    assert normalised_edit_distance("same", "same") == 0.0
    assert normalised_edit_distance("draft", "") == 1.0
    assert normalised_edit_distance("abcd", "abcx") == pytest.approx(0.25)


def test_huge_texts_are_estimated_not_compared_exactly(monkeypatch):
    import copilot.core.edit_distance as module

    def exact_only_for_small(x, y):
        assert max(len(x), len(y)) <= module.EXACT_LIMIT, "quadratic comparison of a huge text"
        return levenshtein(x, y)

    monkeypatch.setattr(module, "levenshtein", exact_only_for_small)
    a = "word " * 200_000
    b = a[:500_000] + "changed " + a[500_000:]
    assert 0 < normalised_edit_distance(a, b) < 0.01  # shared ends stripped: exact and cheap
    c = "".join(chr(97 + (i * 7919) % 26) for i in range(50_000))
    d = c[::-1]
    assert 0 <= normalised_edit_distance(c, d) <= 1


def test_control_characters_become_visible_and_markup_stays_text():
    shown = displayable("a\x00b\x1b[31m<script>alert(1)</script>\u202etxt.exe")
    assert "\x00" not in shown and "\x1b" not in shown and "\u202e" not in shown
    assert "␀" in shown and "<script>" in shown


def test_huge_message_is_cut_for_display_with_a_note():
    text = "x" * (DISPLAY_LIMIT * 50)
    shown = displayable(text)
    assert len(shown) < DISPLAY_LIMIT + 200
    assert f"{len(text):,} characters" in shown


def test_preview_is_one_line():
    assert preview("a\n\nb\tc" * 100, 20).count("\n") == 0
    assert len(preview("word " * 100, 20)) == 20
