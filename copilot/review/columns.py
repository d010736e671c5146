"""The per-agent table's columns: one description shared by the window, the CSV and the HTML report.

Each column knows how to get its raw value from an AgentReview (for sorting and CSV), how to show
it, and what it means (the header's tooltip). Rates are shares 0..1, shown as percentages.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from copilot.review.tiers import TIERS, UNRATED

FLAG_NAMES = {"over_reliance": "over-reliance", "overload": "overload"}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    fmt: str  # text | int | pct | f1 | f2 | s (seconds) | min (seconds shown as minutes)
    get: Callable[[Any], Any]
    tip: str
    chart: bool = False  # offered as a team distribution / trend


def _fig(name: str) -> Callable[[Any], Any]:
    return lambda a: getattr(a.figures, name)


def flag_text(agent) -> str:
    raised = [FLAG_NAMES[f.kind] for f in agent.raised]
    return ", ".join(raised)


def flag_explanations(agent) -> str:
    """The raised flags' explanations, or why none was raised (each judged flag explains itself)."""
    raised = agent.raised
    return "\n\n".join(f.explanation for f in (raised or agent.flags.values()))


COLUMNS: tuple[Column, ...] = (
    Column("agent", "Agent", "text", lambda a: a.agent, "The agent's name in their usage log"),
    Column("tier", "Tier", "text", lambda a: a.tier,
           "Performance tier from reply latency and resolution (not from AI use): high, middle, low"),
    Column("flags", "Flags", "text", flag_text, "Over-reliance and overload flags for the period (hover for why)"),
    Column("sessions", "Sessions", "int", lambda a: len(a.loaded), "Sessions (app runs) loaded"),
    Column("suggestions_shown", "Shown", "int", _fig("suggestions_shown"), "Suggestions shown to the agent"),
    Column("acceptance_rate", "Accept", "pct", _fig("acceptance_rate"),
           "Drafts sent unedited, of all decided suggestions", chart=True),
    Column("edit_rate", "Edit", "pct", _fig("edit_rate"), "Drafts edited before sending", chart=True),
    Column("reject_rate", "Reject", "pct", _fig("reject_rate"), "Drafts turned down", chart=True),
    Column("mean_edit_distance", "Edit dist.", "f2", _fig("mean_edit_distance"),
           "Mean normalised edit distance (0..1) between draft and sent text, accepted drafts counting 0"),
    Column("dwell_seconds_per_word", "s / word", "f2", _fig("dwell_seconds_per_word"),
           "Seconds from display to decision per word of the draft; reading takes about 0.25", chart=True),
    Column("fast_acceptance_share", "Unread", "pct", _fig("fast_acceptance_share"),
           "Accepted drafts accepted faster than they can be read (4 words/s)", chart=True),
    Column("mean_concurrency", "Open avg", "f1", _fig("mean_concurrency"),
           "Open chats, time-weighted over the time the app ran", chart=True),
    Column("peak_concurrency", "Open peak", "int", _fig("peak_concurrency"), "Most chats open at once"),
    Column("reply_seconds", "Reply s", "s", _fig("reply_seconds"),
           "Response latency: how long the customer had waited at each agent reply", chart=True),
    Column("chat_duration_seconds", "Chat min", "min", _fig("chat_duration_seconds"),
           "Mean duration of chats that ended", chart=True),
    Column("customers_left_waiting", "Left", "int", _fig("customers_left_waiting"),
           "Customers who left while waiting (chats abandoned)"),
    Column("handover_frustration", "Hand-over frustr.", "f2", lambda a: a.extras.handover_frustration,
           "Customer frustration (0..1) on the message that escalated a chat to the agent's full attention",
           chart=True),
    Column("resolution_rate", "Resolved", "pct", lambda a: a.extras.resolution_rate,
           "Ended chats the agent resolved", chart=True),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
CHART_COLUMNS = tuple(c for c in COLUMNS if c.chart)
_TIER_ORDER = {t: i for i, t in enumerate((*TIERS, UNRATED))}


def column(key: str) -> Column:
    return next(c for c in COLUMNS if c.key == key)


def sort_key(col: Column, agent) -> tuple:
    """Empty values sort last whichever way; tiers sort high to low, not alphabetically."""
    value = col.get(agent)
    if col.key == "tier":
        return (0, _TIER_ORDER.get(value, 9))
    if value is None or value == "":
        return (1, 0)
    return (0, value.lower() if isinstance(value, str) else value)


def format_value(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "text":
        return str(value) or "–"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "pct":
        return f"{value:.0%}"
    if fmt == "f1":
        return f"{value:.1f}"
    if fmt == "f2":
        return f"{value:.2f}"
    if fmt == "s":
        return f"{value:.0f}"
    if fmt == "min":
        return f"{value / 60:.1f}"
    return str(value)


def cell(col: Column, agent) -> str:
    return format_value(col.get(agent), col.fmt)
