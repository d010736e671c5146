"""A finished practice session: its chats' scores, the session's score and breakdown, and one tip."""
from __future__ import annotations

from dataclasses import dataclass

from copilot.practice.transcript import LABELS, WEIGHTS, ChatScore


@dataclass(frozen=True)
class PracticeResult:
    practice_id: str
    agent: str
    started_at: float
    ended_at: float
    chats: tuple[ChatScore, ...]  # the chats scored, in the order they ended
    planned: int  # chats the session was to have
    policy: str = ""  # the scripted agent's policy; "" for a person
    skill: float | None = None  # the scripted agent's unassisted skill when it practised

    @property
    def complete(self) -> bool:
        return len(self.chats) == self.planned

    @property
    def score(self) -> float:
        """0..100: the mean of the chats' scores (a chat never reached counts as 0)."""
        return sum(c.score for c in self.chats) / self.planned if self.planned else 0.0

    def part_shares(self) -> dict[str, float]:
        """Each part's points as a share of its maximum, over the chats scored."""
        if not self.chats:
            return {key: 0.0 for key in WEIGHTS}
        return {key: sum(c.part(key).points for c in self.chats) / (WEIGHTS[key] * len(self.chats)) for key in WEIGHTS}

    @property
    def tip(self) -> str:
        """The tip of the chat that lost the most points in the part the session lost most in."""
        if not self.chats:
            return "No chat was finished: start another practice when you have ten minutes."
        lost = {key: sum(c.part(key).lost for c in self.chats) for key in WEIGHTS}
        key = max(WEIGHTS, key=lambda k: lost[k])
        if lost[key] <= 0.01:
            return self.chats[0].tip
        return max(self.chats, key=lambda c: c.part(key).lost).tip

    def to_dict(self) -> dict:
        return {
            "practice_id": self.practice_id, "agent": self.agent, "policy": self.policy,
            "skill": None if self.skill is None else round(self.skill, 4),
            "started_at": self.started_at, "ended_at": self.ended_at,
            "minutes": round((self.ended_at - self.started_at) / 60.0, 1),
            "score": round(self.score, 1), "complete": self.complete, "chats_planned": self.planned,
            "breakdown": {key: {"label": LABELS[key], "share": round(share, 3), "weight": WEIGHTS[key]}
                          for key, share in self.part_shares().items()},
            "tip": self.tip, "chats": [c.to_dict() for c in self.chats],
        }
