"""The passive over-reliance rule: drafts sent unedited, faster than they can be read, almost never rejected.

Why these three together: accepting a good draft is fine, and so is accepting quickly a draft one
has learnt to trust; but sending nearly everything unedited, at a pace no one reads at, while
almost never turning a draft down, is the pattern of complacency (automation bias) that the field
evidence ties to lost skill. Rejections are the clearest sign someone is still checking.
The rule text and thresholds are documented in copilot/usage/flags.py and docs/flags.md.
"""
from __future__ import annotations

from copilot.usage.figures import Figures
from copilot.usage.flag_model import Flag, FlagThresholds, References, make_flag, pct
from copilot.usage.metrics import AgentMetrics

KIND = "over_reliance"


def judge_over_reliance(m: AgentMetrics, refs: References, t: FlagThresholds) -> Flag:
    f = m.figures
    refs_used = _usable_references(refs, t)
    evidence = {
        "used": f.used, "accepted": f.accepted, "edited": f.edited, "rejected": f.rejected,
        "used_acceptance_rate": f.used_acceptance_rate, "fast_acceptance_share": f.fast_acceptance_share,
        "used_reject_rate": f.used_reject_rate, "accepted_dwell_seconds_per_word": f.accepted_dwell_seconds_per_word,
        **{f"{name}_fast_acceptance_share": ref.fast_acceptance_share for name, ref in refs_used},
        **{f"{name}_used_acceptance_rate": ref.used_acceptance_rate for name, ref in refs_used},
    }
    if f.used < t.min_used:
        return make_flag(KIND, m, False, False, "not enough decisions",
                         f"Not judged yet: {f.used} draft(s) used or rejected in this {m.window}; "
                         f"the rule needs at least {t.min_used}.", evidence)
    accept, fast, reject = f.used_acceptance_rate or 0.0, f.fast_acceptance_share or 0.0, f.used_reject_rate or 0.0
    on_thresholds = accept >= t.high_acceptance and fast >= t.fast_acceptance and reject <= t.max_reject_rate
    stands_out = bool(refs_used) and all(
        fast - (ref.fast_acceptance_share or 0.0) >= t.rise_over_reference for _, ref in refs_used)
    relative = (stands_out and accept >= t.relative_acceptance and fast >= t.relative_fast_acceptance
                and reject <= t.relative_max_reject_rate)
    pattern = (f"{f.accepted} of {f.used} drafts used ({pct(accept)}) were sent unedited, {pct(fast)} of "
               f"those faster than they can be read{_pace(f)}, and {f.rejected} ({pct(reject)}) were rejected")
    context = _context(fast, refs, refs_used)
    if on_thresholds:
        basis = "thresholds" + (" and relative to " + " and ".join(n for n, _ in refs_used) if stands_out else "")
        text = (f"Passive over-reliance: {pattern}. The flag is raised at {pct(t.high_acceptance)}+ unedited, "
                f"{pct(t.fast_acceptance)}+ faster than reading and at most {pct(t.max_reject_rate)} rejected.")
        return make_flag(KIND, m, True, True, basis, text + context, evidence)
    if relative:
        names = " and ".join(n for n, _ in refs_used)
        text = (f"Drifting towards passive over-reliance: {pattern}. That is at least "
                f"{pct(t.rise_over_reference)} more fast acceptances than {names}.")
        return make_flag(KIND, m, True, True, "relative to " + names, text + context, evidence)
    text = (f"No sign of passive over-reliance: {pattern}. The flag needs {pct(t.high_acceptance)}+ unedited, "
            f"{pct(t.fast_acceptance)}+ faster than reading and at most {pct(t.max_reject_rate)} rejected.")
    return make_flag(KIND, m, False, True, "", text + context, evidence)


def _usable_references(refs: References, t: FlagThresholds) -> list[tuple[str, Figures]]:
    """References with enough decisions to compare against, named as the explanation says them."""
    found = []
    if refs.baseline is not None and refs.baseline.used >= t.min_used:
        found.append(("your usual", refs.baseline))
    if refs.team is not None and refs.team.used >= t.min_used:
        found.append(("the team", refs.team))
    return found


def _pace(f: Figures) -> str:
    if f.accepted_dwell_seconds_per_word is None:
        return ""
    return f" ({f.accepted_dwell_seconds_per_word:.2f} s per word on average; reading takes 0.25)"


def _context(fast: float, refs: References, usable: list[tuple[str, Figures]]) -> str:
    parts = []
    for name, ref in usable:
        if name == "your usual":
            parts.append(f"your earlier {refs.baseline_windows} window(s): {pct(ref.fast_acceptance_share)}")
        else:
            parts.append(f"the team ({refs.team_agents} other agent(s)): {pct(ref.fast_acceptance_share)}")
    if not parts:
        return " No baseline or team figures to compare with yet."
    return f" Fast acceptances here {pct(fast)}; " + "; ".join(parts) + "."
