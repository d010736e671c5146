"""The one definition of each name the pipeline passes around: assist modes, engines, draft kinds.

They are str enums so settings files, the usage log and `--json` output carry the plain value
("diagnose_first", "offline_fallback"), and code compares members, never spelled strings.
"""
from __future__ import annotations

import enum


class AssistMode(str, enum.Enum):
    """How suggestions reach the agent. The last two are "cognitive forcing" modes from the
    automation-bias research: the agent thinks first, which reduces complacent acceptance."""

    AUTOMATIC = "automatic"  # diagnosis and draft appear as soon as they are ready
    DIAGNOSE_FIRST = "diagnose_first"  # the agent confirms or picks the diagnosis; then the draft appears
    ON_REQUEST = "on_request"  # nothing appears until the agent asks (Ctrl+G)


class EngineName(str, enum.Enum):
    """Which engine made something. OFFLINE and LLM are also what a user configures; an LLM
    setup whose endpoint failed falls back to the offline engine, recorded as OFFLINE_FALLBACK."""

    OFFLINE = "offline"
    LLM = "llm"
    OFFLINE_FALLBACK = "offline_fallback"


CONFIGURABLE_ENGINES = (EngineName.OFFLINE, EngineName.LLM)


class DraftKind(str, enum.Enum):
    """Which draft a chat wants. Every engine is asked through the same choice (assist/pipeline.py)."""

    ROUTINE = "routine"  # the diagnosed category's playbook reply
    DEESCALATION = "deescalation"  # an upset customer: apology, acknowledgement, one concrete next step
    CHOSEN = "chosen"  # the category the agent picked (diagnose-first, or after "no matching category")


def values(enum_type: type[enum.Enum]) -> tuple[str, ...]:
    """The plain values, for argparse choices and validation messages."""
    return tuple(member.value for member in enum_type)
