"""Flags on synthetic agents (passive, careful, drifting, overloaded), and on the real self-test."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from copilot.usage.flags import FlagThresholds, compute_flags
from copilot.usage.metrics import compute_metrics
from copilot.usage.report import usage_report
from tests.usage_log_builders import T0, open_log, write_drafts, write_load

HOUR = 3600.0


def flag(flags, kind, agent=None, index=-1):
    chosen = [f for f in flags if f.kind == kind and (agent is None or f.agent == agent)]
    return chosen[index]


def shift(path, agent, start, pattern, seconds_per_word):
    log = open_log(path, agent, start)
    end = write_drafts(log, start + 5, pattern, seconds_per_word)
    log.close(ended_at=end)


def test_passive_agent_is_flagged_with_the_figures(tmp_path):
    path = tmp_path / "usage.sqlite"
    shift(path, "pat", T0, "a" * 29 + "e", 0.1)  # 29 accepted at 0.1 s/word, one edited
    f = flag(compute_flags(compute_metrics(path)), "over_reliance")
    assert f.raised and f.judged and f.basis == "thresholds"
    assert "29 of 30 drafts used (97%) were sent unedited" in f.explanation
    assert "100% of those faster than they can be read" in f.explanation
    assert "0 (0%) were rejected" in f.explanation
    assert f.evidence["fast_acceptance_share"] == 1.0 and f.to_dict()["start_utc"] == "2026-01-01T00:00:00Z"


def test_careful_agents_are_not_flagged(tmp_path):
    path = tmp_path / "usage.sqlite"
    shift(path, "reader", T0, "a" * 28 + "rr", 0.4)  # accepts nearly all, but reads them first
    shift(path, "editor", T0 + HOUR, "aeer" * 8, 0.1)  # quick, but edits and rejects
    shift(path, "fast-few", T0 + 2 * HOUR, "a" * 10, 0.05)  # too few decisions to judge
    flags = compute_flags(compute_metrics(path))
    reader, editor, few = (flag(flags, "over_reliance", a) for a in ("reader", "editor", "fast-few"))
    assert not reader.raised and "0% of those faster than they can be read" in reader.explanation
    assert not editor.raised and "No sign of passive over-reliance" in editor.explanation
    assert not few.raised and not few.judged and "needs at least 20" in few.explanation


def test_drift_is_flagged_relative_to_own_baseline_and_team(tmp_path):
    path = tmp_path / "usage.sqlite"
    drifting = "a" * 14 + "eeee" + "r"  # 74% unedited, 5% rejected: below the absolute bar
    for day in range(3):  # careful earlier days: reads every draft
        shift(path, "dee", T0 + day * 24 * HOUR, "aaaeer" * 4, 0.4)
    shift(path, "team", T0 + 3 * 24 * HOUR + HOUR, "aaaeer" * 4, 0.4)
    log = open_log(path, "dee", T0 + 3 * 24 * HOUR)
    t = write_drafts(log, T0 + 3 * 24 * HOUR + 5, drifting, 0.1)  # fast now
    t = write_drafts(log, t, "a", 0.4)
    log.close(ended_at=t)
    f = flag(compute_flags(compute_metrics(path)), "over_reliance", "dee")
    assert f.raised and f.basis == "relative to your usual and the team"
    assert "Drifting towards passive over-reliance" in f.explanation
    assert "your earlier 3 window(s): 0%" in f.explanation and "the team (1 other agent(s)): 0%" in f.explanation
    # Without references the same day is below the bar.
    alone = tmp_path / "alone.sqlite"
    log = open_log(alone, "dee", T0)
    write_drafts(log, write_drafts(log, T0 + 5, drifting, 0.1), "a", 0.4)
    log.close()
    assert not flag(compute_flags(compute_metrics(alone)), "over_reliance").raised


def test_thresholds_are_configurable(tmp_path):
    path = tmp_path / "usage.sqlite"
    shift(path, "pat", T0, "a" * 30, 0.1)
    strict = FlagThresholds.with_overrides({"fast_acceptance": "1.01"})
    assert not flag(compute_flags(compute_metrics(path), strict), "over_reliance").raised
    assert FlagThresholds.with_overrides({"min_used": "5"}).min_used == 5
    with pytest.raises(ValueError, match="unknown threshold"):
        FlagThresholds.with_overrides({"speed": "1"})


def test_overload_when_replies_slow_at_higher_load(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = open_log(path, "olu", T0)
    end = write_load(log, T0, [(20, 2, 20.0, 0.2), (25, 5, 60.0, 0.2)])
    log.close(ended_at=end)
    f = flag(compute_flags(compute_metrics(path)), "overload")
    assert f.raised and f.basis == "slower replies"
    assert "chats open on average (this window's average: 3.7)" in f.explanation
    assert "replies took 60 s vs 20 s at usual load (3.0x)" in f.explanation
    assert f.evidence["high_load_minutes"] == pytest.approx(25)


def test_overload_when_customers_sour_at_higher_load(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = open_log(path, "olu", T0)
    end = write_load(log, T0, [(20, 2, 30.0, 0.1), (20, 5, 32.0, 0.5)])
    log.close(ended_at=end)
    f = flag(compute_flags(compute_metrics(path)), "overload")
    assert f.raised and f.basis == "higher frustration"
    assert "customers' frustration averaged 0.50 vs 0.10" in f.explanation


def test_no_overload_when_busy_but_steady_or_slow_but_not_busier(tmp_path):
    path = tmp_path / "usage.sqlite"
    for n, phases in enumerate([[(40, 5, 60.0, 0.3)],  # always busy, same pace
                                [(20, 2, 20.0, 0.2), (20, 5, 22.0, 0.2)],  # busier, not slower
                                [(20, 3, 20.0, 0.2), (20, 3, 80.0, 0.6)]]):  # slower, not busier
        log = open_log(path, f"a{n}", T0 + n * HOUR)
        log.close(ended_at=write_load(log, T0 + n * HOUR, phases))
    flags = compute_flags(compute_metrics(path))
    steady, busier, slower = (flag(flags, "overload", f"a{n}") for n in range(3))
    assert not steady.raised and "for 0 min" in steady.explanation
    assert not busier.raised and "replies took 22 s vs 20 s" in busier.explanation
    assert not slower.raised


def test_overload_against_the_agent_usual_load_from_earlier_shifts(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = open_log(path, "olu", T0)
    log.close(ended_at=write_load(log, T0, [(60, 2, 20.0, 0.2)]))  # a calm shift
    log = open_log(path, "olu", T0 + 24 * HOUR)
    log.close(ended_at=write_load(log, T0 + 24 * HOUR, [(40, 5, 70.0, 0.2)]))  # busy and slow all along
    report = usage_report(path, since=T0 + 12 * HOUR)  # the calm shift is history: still the baseline
    f = flag(report.flags, "overload")
    assert f.raised and f.evidence["usual_from"] == "your usual"
    assert "(your usual: 2.0)" in f.explanation and "70 s vs 20 s in your earlier windows" in f.explanation
    assert [m.key for m in report.metrics] == ["session 2"]


@pytest.mark.slow
def test_selftest_passive_raises_over_reliance_careful_does_not_overloaded_raises_overload(selftest_shifts):
    """The real self-test shifts (run once per test session), then `copilot usage` on each log."""
    for policy, shift in selftest_shifts.items():
        assert shift.process.returncode == 0, shift.stderr[-2000:]
        result = subprocess.run([sys.executable, "-m", "copilot", "usage", "--db", str(shift.log), "--json"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        window, = json.loads(result.stdout)["windows"]
        reliance, overload = window["flags"]["over_reliance"], window["flags"]["overload"]
        assert reliance["judged"], reliance["explanation"]
        assert reliance["raised"] == (policy == "passive"), reliance["explanation"]
        if policy == "overloaded":
            assert overload["raised"], overload["explanation"]
