"""Scoring detected escalations against the ones scenarios script (resources/scenarios `[escalation]`).

A detection counts when it is in the right chat, of the right type, and within `tolerance`
customer messages of the scripted moment; every other detection is a false alarm and every
scripted escalation left unmatched is a miss. Used by the scenario tests and the self-test.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Scripted(Protocol):  # copilot.sources.scenario.ScriptedEscalation
    type: str
    at_message: int


@dataclass(frozen=True)
class Detected:
    chat_id: str
    type: str  # "emotional" | "technical"
    at_message: int  # 1-based index of the customer message that triggered it
    trigger: str = ""
    label: str = ""  # e.g. the scenario id, for reports


@dataclass
class EscalationScore:
    matched: list[tuple[str, str, int, int]] = field(default_factory=list)  # (label, type, scripted, detected)
    false_alarms: list[Detected] = field(default_factory=list)
    missed: list[tuple[str, str, int]] = field(default_factory=list)  # (label, type, scripted at)

    @property
    def precision(self) -> float | None:
        found = len(self.matched) + len(self.false_alarms)
        return len(self.matched) / found if found else None

    @property
    def recall(self) -> float | None:
        scripted = len(self.matched) + len(self.missed)
        return len(self.matched) / scripted if scripted else None

    def by_type(self, kind: str) -> EscalationScore:
        return EscalationScore([m for m in self.matched if m[1] == kind],
                               [d for d in self.false_alarms if d.type == kind],
                               [m for m in self.missed if m[1] == kind])

    def summary(self) -> dict:
        def fig(score: EscalationScore) -> dict:
            return {"scripted": len(score.matched) + len(score.missed),
                    "detected": len(score.matched) + len(score.false_alarms),
                    "matched": len(score.matched),
                    "precision": None if score.precision is None else round(score.precision, 3),
                    "recall": None if score.recall is None else round(score.recall, 3)}
        return {
            "overall": fig(self),
            "emotional": fig(self.by_type("emotional")),
            "technical": fig(self.by_type("technical")),
            "matched": [{"label": lab, "type": t, "scripted_at": s, "detected_at": d} for lab, t, s, d in self.matched],
            "false_alarms": [{"label": d.label or d.chat_id, "type": d.type, "at": d.at_message, "trigger": d.trigger}
                             for d in self.false_alarms],
            "missed": [{"label": lab, "type": t, "scripted_at": s} for lab, t, s in self.missed],
        }


def score(scripted: Mapping[str, Sequence[Scripted]], detected: Sequence[Detected],
          labels: Mapping[str, str] | None = None, tolerance: int = 1) -> EscalationScore:
    """`scripted`: each chat's scripted escalations (empty for a chat that should never escalate)."""
    labels = labels or {}
    result = EscalationScore()
    open_ = {(chat, s.type): s.at_message for chat, items in scripted.items() for s in items}
    for found in sorted(detected, key=lambda d: (d.chat_id, d.at_message)):
        at = open_.get((found.chat_id, found.type))
        if at is not None and abs(found.at_message - at) <= tolerance:
            result.matched.append((labels.get(found.chat_id, found.chat_id), found.type, at, found.at_message))
            del open_[(found.chat_id, found.type)]
        else:
            result.false_alarms.append(found)
    result.missed = [(labels.get(chat, chat), kind, at) for (chat, kind), at in sorted(open_.items())]
    return result
