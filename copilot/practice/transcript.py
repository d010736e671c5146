"""What happened in one practice chat, as scoring needs it, and what a score is made of.

The practice source (session.py) fills a PracticeChat as the chat plays: the agent's messages,
the issues they named, and at the end the simulator's ChatOutcome. Scoring (scoring.py) reads only
this, so a chat can be scored again later from the same record with the same result.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from copilot.sources.outcome import ChatOutcome
from copilot.sources.scenario import Scenario


@dataclass
class PracticeChat:
    chat_id: str
    number: int  # 1-based, in the order the chats opened
    scenario: Scenario
    opened_at: float
    named: list[tuple[float, str]] = field(default_factory=list)  # (when, issue id) in the order named
    agent_messages: list[tuple[float, str]] = field(default_factory=list)  # (when, text)
    outcome: ChatOutcome | None = None  # set when the chat ended

    @property
    def ended(self) -> bool:
        return self.outcome is not None and self.outcome.ended_at is not None

    @property
    def first_named(self) -> str:
        return self.named[0][1] if self.named else ""

    @property
    def last_named(self) -> str:
        return self.named[-1][1] if self.named else ""


@dataclass(frozen=True)
class Part:
    """One line of a score's breakdown: what was looked at, the points, and why, in plain words."""

    key: str  # one of WEIGHTS
    label: str
    points: float
    max_points: float
    why: str

    @property
    def lost(self) -> float:
        return self.max_points - self.points

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "points": round(self.points, 2),
                "max": self.max_points, "why": self.why}


# The breakdown's parts and their weights (they add up to 100). docs/skill.md says why these.
WEIGHTS: dict[str, float] = {
    "diagnosis": 20.0, "facts": 20.0, "resolution": 25.0, "promises": 15.0, "satisfaction": 10.0, "time": 10.0,
}
LABELS: dict[str, str] = {
    "diagnosis": "Diagnosis", "facts": "Facts collected", "resolution": "Resolution offered",
    "promises": "No forbidden promise", "satisfaction": "Customer satisfied", "time": "Time",
}


@dataclass(frozen=True)
class ChatScore:
    chat_id: str
    number: int
    scenario_id: str
    title: str
    issue: str
    difficulty: str
    named_issue: str  # the first issue the agent named ("" for none)
    score: float  # 0..100, the sum of the parts
    parts: tuple[Part, ...]
    tip: str
    seconds: float | None  # from the opening to the resolution (None: not resolved)

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)

    def to_dict(self) -> dict:
        return {"chat": self.number, "chat_id": self.chat_id, "scenario_id": self.scenario_id, "title": self.title,
                "issue": self.issue, "difficulty": self.difficulty, "named_issue": self.named_issue,
                "score": round(self.score, 1), "seconds": None if self.seconds is None else round(self.seconds, 1),
                "parts": [p.to_dict() for p in self.parts], "tip": self.tip}
