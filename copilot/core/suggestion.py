"""What the assist engines produce, and what the agent decides about it."""
from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field

from copilot.core.modes import DraftKind, EngineName


@dataclass(frozen=True)
class CategoryScore:
    category: str  # id from the taxonomy, e.g. "late_delivery"
    label: str  # human name, e.g. "Late delivery"
    confidence: float  # calibrated probability, 0..1


@dataclass(frozen=True)
class Diagnosis:
    top: tuple[CategoryScore, ...]  # best first, up to 3
    abstained: bool  # True: no confident diagnosis, top[0] is only a hint
    evidence: tuple[str, ...] = ()  # words that drove the decision
    steps: tuple[str, ...] = ()  # playbook steps: what to ask, what to check
    missing: tuple[str, ...] = ()  # information still to collect, e.g. "order number"
    needs_human: bool = False  # the playbook says a human must handle it
    chosen_by_agent: bool = False  # the agent named this category; the engine's confidence is not the point
    # Why the engine abstained, in words for the agent, when it is not just low confidence
    # (e.g. "The customer writes in Spanish; the offline engine was trained on English only").
    reason: str = field(default="", kw_only=True)
    language: str = field(default="", kw_only=True)  # ISO 639-1 code, when detected reliably

    @property
    def best(self) -> CategoryScore | None:
        return self.top[0] if self.top else None

    @property
    def label(self) -> str:
        if self.abstained or not self.top:
            return ""
        return self.top[0].label


@dataclass(frozen=True)
class Citation:
    """A saved reply or help article a draft is based on (copilot/knowledge)."""

    item_id: str  # stable id in the knowledge index, e.g. "zendesk-article:1001:en-us"
    title: str
    kind: str = "article"  # "reply" | "article"
    url: str = ""


@dataclass(frozen=True)
class Draft:
    text: str
    category: str = ""
    # The team's own items the draft uses or cites, best first. Keyword-only, so subclasses adding
    # fields (CheckedDraft.flags) keep their positional order.
    citations: tuple[Citation, ...] = field(default=(), kw_only=True)


_suggestion_ids = itertools.count(1)


@dataclass(frozen=True)
class Suggestion:
    """A diagnosis and draft for one chat, answering one customer message.

    `message_id` ties it to the customer message it answers: when a newer customer message
    arrives the suggestion is stale and is replaced as a whole, never merged.
    """

    chat_id: str
    message_id: int
    diagnosis: Diagnosis
    draft: Draft | None
    engine: str  # for people: "offline", "llm:<model>", "offline (fallback)"
    created_at: float
    draft_kind: DraftKind = DraftKind.ROUTINE
    diagnosis_engine: EngineName = EngineName.OFFLINE
    draft_engine: EngineName | None = None  # None: no draft was made
    notice: str = ""  # the configured engine failed and the offline one answered: what failed
    id: int = field(default_factory=lambda: next(_suggestion_ids))


class DecisionKind(str, enum.Enum):
    ACCEPTED = "accepted"  # sent as is
    EDITED = "edited"  # loaded into the composer, then sent (possibly changed)
    REJECTED = "rejected"  # refused, with a reason
    IGNORED = "ignored"  # shown, never acted on: the agent wrote their own reply or ended the chat,
    # or the customer moved on first (wrote again, or left): then the decision is `superseded`


REJECT_REASONS = (
    "Wrong diagnosis",
    "Inaccurate or invented facts",
    "Wrong tone",
    "Not what the customer asked",
    "I prefer to write my own",
)


@dataclass(frozen=True)
class Decision:
    suggestion_id: int
    chat_id: str
    kind: DecisionKind
    shown_at: float
    decided_at: float
    sent_text: str = ""
    edit_distance: float = 0.0  # normalised 0..1 between draft and what was sent
    reason: str = ""
    # IGNORED only: the customer wrote again (or left) before the agent acted on the draft, so
    # leaving it unused was not the agent's choice. Still a decision in the usage log, marked so.
    superseded: bool = False

    @property
    def seconds_to_decide(self) -> float:
        return max(0.0, self.decided_at - self.shown_at)
