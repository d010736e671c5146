"""What loading usage logs for a review produces: the sessions found, and the files that were refused.

A session is the unit a review merges: it has one agent and a uuid that no other session shares,
so the same session found in two files (a copied log) is recognised and counted once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from copilot.usage.escalation_effort import EscalationEffortRow
from copilot.usage.tally import Tally, ratio


@dataclass(frozen=True)
class LogProblem:
    """A file (or part of one) left out of the review, and why, in words a team lead can act on."""

    path: str
    kind: str  # refused | empty | duplicate | missing | cancelled
    message: str

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "message": self.message}


@dataclass
class Extras:
    """Sums the usage figures do not keep but a review needs; they add up across sessions."""

    assisted_replies: int = 0  # agent replies sent from a draft (accepted or edited)...
    assisted_reply_seconds: float = 0.0  # ...and how long their customers had waited
    own_replies: int = 0  # replies the agent wrote without a draft
    own_reply_seconds: float = 0.0
    chats_ended: int = 0
    chats_resolved: int = 0
    assisted_chats_ended: int = 0  # chats in which the agent sent at least one draft
    assisted_chats_resolved: int = 0
    handover_frustration_sum: float = 0.0  # the customer's score on the message that escalated the chat
    handovers: int = 0

    def add(self, other: Extras) -> Extras:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    @property
    def resolution_rate(self) -> float | None:
        return ratio(self.chats_resolved, self.chats_ended)

    @property
    def own_chats_resolved_rate(self) -> float | None:
        return ratio(self.chats_resolved - self.assisted_chats_resolved, self.chats_ended - self.assisted_chats_ended)

    @property
    def assisted_resolution_rate(self) -> float | None:
        return ratio(self.assisted_chats_resolved, self.assisted_chats_ended)

    @property
    def assisted_reply_mean(self) -> float | None:
        return ratio(self.assisted_reply_seconds, self.assisted_replies)

    @property
    def own_reply_mean(self) -> float | None:
        return ratio(self.own_reply_seconds, self.own_replies)

    @property
    def handover_frustration(self) -> float | None:
        return ratio(self.handover_frustration_sum, self.handovers)


@dataclass
class LoadedSession:
    """One recorded session of one agent, summed, as read (read-only) from one file."""

    path: str
    id: int  # the session's id inside its file (ids repeat across files)
    uuid: str
    agent: str
    policy: str
    start: float
    end: float
    days: dict[int, Tally]  # UTC day number -> sums of that day
    buckets: dict[int, Tally]  # 5-minute bucket number -> the load sums the overload rule compares
    extras: Extras = field(default_factory=Extras)
    escalations: list[EscalationEffortRow] = field(default_factory=list)
    stores_text: bool = False  # the team opted into keeping (redacted) message text in this session

    @property
    def key(self) -> str:
        """Unique within a review: the file's name and the session's id there."""
        return f"{self.path.rsplit('/', 1)[-1]}#{self.id}"

    @property
    def tally(self) -> Tally:
        return Tally.total(self.days.values())


@dataclass
class LoadResult:
    sessions: list[LoadedSession]
    problems: list[LogProblem]
    files: list[str]  # files that contributed at least one session
    cancelled: bool = False
    seconds: float = 0.0
