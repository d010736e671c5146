"""The multitasking overload rule: more chats open than usual while replies slow or customers sour.

Why compare within the shift: the field evidence is that agents who take on more chats with AI
help answer each one more slowly and lose quality. Load and latency both vary through a shift, so
the window's 5-minute buckets are split into high-load ones (clearly above the agent's usual
number of open chats) and usual-load ones, and the same agent's replies and customers are
compared between the two. An agent who is always busy but never slower is not flagged.
The rule text and thresholds are documented in copilot/usage/flags.py and docs/flags.md.
"""
from __future__ import annotations

from copilot.usage.flag_model import Flag, FlagThresholds, References, make_flag
from copilot.usage.metrics import AgentMetrics
from copilot.usage.tally import Tally, ratio

KIND = "overload"
# The sums pooled on each side of the split (high load, usual load) and compared between them.
COMPARED = ("active_seconds", "concurrency_seconds", "replies", "reply_seconds", "replies_timed",
            "frustration_sum", "frustration_scored")


def split_load(buckets: list[tuple[float, Tally]], usual: float, margin: float) -> tuple[Tally, Tally]:
    """The window's buckets pooled into high-load (usual + margin or more open chats) and usual-load ones."""
    high, low = Tally(), Tally()
    for _, bucket in buckets:
        level = ratio(bucket.concurrency_seconds, bucket.active_seconds)
        if level is not None and level >= usual + margin:
            high.add(bucket, COMPARED)
        elif level is not None and level <= usual:
            low.add(bucket, COMPARED)
    return high, low


def judge_overload(m: AgentMetrics, refs: References, t: FlagThresholds,
                   split: tuple[Tally, Tally] | None = None) -> Flag:
    """`split`: split_load's answer for this window, when it was computed elsewhere (the team store
    pools the buckets on the server); by default it is computed from m.buckets."""
    base = refs.baseline
    if base is not None and base.mean_concurrency is not None and base.active_minutes >= t.min_baseline_minutes:
        usual, usual_from = base.mean_concurrency, "your usual"
    else:
        usual, usual_from = m.figures.mean_concurrency, "this window's average"
    evidence: dict = {"usual_open_chats": usual, "usual_from": usual_from}
    if usual is None:
        return make_flag(KIND, m, False, False, "no active time", "Not judged: no time with the app open.", evidence)
    high, low = split if split is not None else split_load(m.buckets, usual, t.load_margin)
    high_minutes = high.active_seconds / 60
    high_level = ratio(high.concurrency_seconds, high.active_seconds)
    evidence |= {"high_load_minutes": high_minutes, "high_load_open_chats": high_level}
    if high_minutes < t.min_high_load_minutes:
        return make_flag(KIND, m, False, True, "", (
            f"No multitasking overload: open chats averaged {_n(m.figures.mean_concurrency)} (peak "
            f"{m.figures.peak_concurrency}); they were {t.load_margin:g}+ above {usual_from} ({usual:.1f}) "
            f"for {high_minutes:.0f} min, and the flag needs {t.min_high_load_minutes:.0f} min."), evidence)

    latency = _compare(ratio(high.reply_seconds, high.replies_timed), high.replies_timed,
                       ratio(low.reply_seconds, low.replies_timed), low.replies_timed,
                       base.reply_seconds if base else None, t.min_replies)
    mood = _compare(ratio(high.frustration_sum, high.frustration_scored), high.frustration_scored,
                    ratio(low.frustration_sum, low.frustration_scored), low.frustration_scored,
                    base.frustration_mean if base else None, t.min_customer_messages)
    evidence |= {"high_load_reply_seconds": latency[0], "reference_reply_seconds": latency[1],
                 "latency_reference": latency[2], "high_load_frustration": mood[0],
                 "reference_frustration": mood[1], "frustration_reference": mood[2]}
    slower = (latency[1] is not None and latency[0] >= t.latency_ratio * latency[1]
              and latency[0] - latency[1] >= t.latency_increase)
    sourer = mood[1] is not None and mood[0] - mood[1] >= t.frustration_increase
    load = (f"for {high_minutes:.0f} min you had {high_level:.1f} chats open on average "
            f"({usual_from}: {usual:.1f})")
    findings = []
    if latency[1] is not None:
        findings.append(f"replies took {latency[0]:.0f} s vs {latency[1]:.0f} s {latency[2]}"
                        f" ({latency[0] / max(latency[1], 0.001):.1f}x)")
    if mood[1] is not None:
        findings.append(f"customers' frustration averaged {mood[0]:.2f} vs {mood[1]:.2f} {mood[2]}")
    if latency[1] is None and mood[1] is None:
        return make_flag(KIND, m, False, False, "no reference", (
            f"Not judged: {load}, but there are too few replies and customer messages to compare "
            "with usual load."), evidence)
    if slower or sourer:
        basis = " and ".join(w for w, hit in (("slower replies", slower), ("higher frustration", sourer)) if hit)
        return make_flag(KIND, m, True, True, basis,
                         f"Multitasking overload: {load}, and " + "; ".join(findings) + ".", evidence)
    return make_flag(KIND, m, False, True, "", (
        f"No multitasking overload: {load}, but " + "; ".join(findings)
        + f" (the flag needs {t.latency_ratio:g}x and +{t.latency_increase:g} s slower replies, or "
          f"+{t.frustration_increase:g} frustration)."), evidence)


def _compare(high: float | None, high_count: int, low: float | None, low_count: int, baseline: float | None,
             minimum: int) -> tuple[float | None, float | None, str]:
    """(high-load value, reference value, what the reference is), reference None when unusable."""
    if high is None or high_count < minimum:
        return high, None, "no reference"
    if low is not None and low_count >= minimum:
        return high, low, "at usual load"
    if baseline is not None:
        return high, baseline, "in your earlier windows"
    return high, None, "no reference"


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"
