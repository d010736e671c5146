"""Deciding that a chat has escalated, and why, from its messages and the engine's diagnoses.

Two kinds, because the field study found they need different help: an **emotional** escalation
(the customer is angry or about to leave) needs a human quickly and a de-escalating reply; a
**technical** one (the assistant cannot solve it, or must not) needs a human to take the problem
over. Only the latest customer message is judged: a trigger is reported at the message that
shows it, so the time to intervene is measured from there.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.assist.escalation import cues
from copilot.core.chat import Message, Sender
from copilot.core.suggestion import Diagnosis

# The chat list's amber and red frustration badges use the same levels.
UPSET = 0.35
ANGRY = 0.65
RISE_MESSAGES = 3  # customer messages in a row whose frustration keeps rising
RISE_TOTAL = 0.2  # ...by at least two mild cues' worth (0.1 each in the frustration score)
IN_SCOPE_HINT = 0.15  # an abstention with a best guess below this looks out of scope: that's fine


class EscalationType(str, enum.Enum):
    EMOTIONAL = "emotional"
    TECHNICAL = "technical"


@dataclass(frozen=True)
class Escalation:
    chat_id: str
    type: EscalationType
    # A stable key: threat, anger, frustration_rising (emotional); must_act, step_failed, repeated,
    # needs_human, abstained (technical).
    reason: str
    trigger: str  # the same in plain words, shown to the agent
    message_id: int  # the customer message that showed it
    ts: float  # when it was detected

    def record_fields(self) -> dict[str, Any]:
        """Fields for `recorder.record("escalation", esc.ts, **esc.record_fields())`."""
        return {"chat_id": self.chat_id, "type": self.type.value, "reason": self.reason,
                "trigger": self.trigger, "message_id": self.message_id}


@dataclass(frozen=True)
class Finding:
    type: EscalationType
    reason: str
    trigger: str


def _customer(messages: Sequence[Message]) -> list[Message]:
    return [m for m in messages if m.sender is Sender.CUSTOMER]


def _pct(value: float) -> str:
    return f"{value:.0%}"


class EscalationDetector:
    """Stateless: judges the latest customer message of `messages`. See EscalationTracker for state."""

    def emotional(self, messages: Sequence[Message]) -> Finding | None:
        said = _customer(messages)
        if not said:
            return None
        latest = said[-1]
        cue = cues.threat(latest.text, latest.frustration, UPSET)
        if cue is not None:
            return Finding(EscalationType.EMOTIONAL, "threat", f"threatens to {cue.what}: '{cue.excerpt}'")
        insult = cues.insult(latest.text)
        if latest.frustration >= ANGRY or insult is not None:
            quote = insult.excerpt if insult is not None else cues.shorten(latest.text)
            return Finding(EscalationType.EMOTIONAL, "anger",
                           f"angry message (frustration {latest.frustration:.2f}): '{quote}'")
        run = [m.frustration for m in said[-RISE_MESSAGES:]]
        rising = all(b > a for a, b in zip(run, run[1:]))
        if len(run) == RISE_MESSAGES and rising and run[-1] >= UPSET and run[-1] - run[0] >= RISE_TOTAL:
            steps = " → ".join(f"{f:.1f}" for f in run)
            return Finding(EscalationType.EMOTIONAL, "frustration_rising",
                           f"frustration rose across {RISE_MESSAGES} messages ({steps})")
        return None

    def technical(self, messages: Sequence[Message], diagnoses: Mapping[int, Diagnosis]) -> Finding | None:
        """`diagnoses`: the engine's diagnosis for each customer message it answered, by message id."""
        said = _customer(messages)
        if not said:
            return None
        latest = said[-1]
        cue = cues.must_act(latest.text)
        if cue is not None:
            return Finding(EscalationType.TECHNICAL, "must_act", f"a human must act: {cue.what}: '{cue.excerpt}'")
        answered = self._answered_before(messages, latest)
        if answered:  # these two only make sense once the agent has said something
            cue = cues.step_failed(latest.text)
            if cue is not None:
                return Finding(EscalationType.TECHNICAL, "step_failed", f"a required step failed: '{cue.excerpt}'")
            cue = cues.repeated_question(latest.text, [m.text for m in answered])
            if cue is not None:
                return Finding(EscalationType.TECHNICAL, "repeated", f"customer repeated the question: '{cue.excerpt}'")
        return self._from_diagnoses(said, diagnoses)

    @staticmethod
    def _answered_before(messages: Sequence[Message], latest: Message) -> list[Message]:
        """Customer messages the agent has replied to since (an agent message came after them)."""
        answered, pending = [], []
        for m in messages:
            if m.id == latest.id:
                break
            if m.sender is Sender.CUSTOMER:
                pending.append(m)
            elif m.sender is Sender.AGENT:
                answered += pending
                pending = []
        return answered

    @staticmethod
    def _from_diagnoses(said: list[Message], diagnoses: Mapping[int, Diagnosis]) -> Finding | None:
        latest = diagnoses.get(said[-1].id)
        if latest is None:
            return None
        previous = diagnoses.get(said[-2].id) if len(said) > 1 else None
        best = latest.best
        # One message can flip the diagnosis ("it won't charge" reads like a fault): the playbook's
        # flag counts once the same needs-human diagnosis holds for two customer messages.
        if (latest.needs_human and not latest.abstained and previous is not None and previous.needs_human
                and not previous.abstained and previous.best and best and previous.best.category == best.category):
            return Finding(EscalationType.TECHNICAL, "needs_human",
                           f"playbook says a human must act: {best.label}")
        if _looks_lost(said[-1], latest):
            earlier = [m for m in said[:-1] if cues.is_substantive(m.text)]
            before = diagnoses.get(earlier[-1].id) if earlier else None
            if before is not None and _looks_lost(earlier[-1], before):
                hint = f" (closest: {best.label} {_pct(best.confidence)})" if best else ""
                return Finding(EscalationType.TECHNICAL, "abstained",
                               f"the engine has no confident diagnosis twice in a row{hint}")
        return None

    def detect(self, messages: Sequence[Message], diagnosis: Diagnosis | None = None,
               earlier: Mapping[int, Diagnosis] | None = None, now: float | None = None) -> Escalation | None:
        """One-shot check of the latest customer message: emotional first, then technical.

        `diagnosis` is the engine's answer to that message; `earlier` holds the diagnoses of the
        customer's previous messages by message id (needed for the "twice in a row" rules).
        """
        said = _customer(messages)
        if not said:
            return None
        latest = said[-1]
        diagnoses = dict(earlier or {})
        if diagnosis is not None:
            diagnoses[latest.id] = diagnosis
        finding = self.emotional(messages) or self.technical(messages, diagnoses)
        if finding is None:
            return None
        return Escalation(latest.chat_id, finding.type, finding.reason, finding.trigger, latest.id,
                          latest.ts if now is None else now)


def _looks_lost(message: Message, diagnosis: Diagnosis) -> bool:
    """The engine abstained on a message that asks something and reads like a support question."""
    best = diagnosis.best
    return (diagnosis.abstained and best is not None and best.confidence >= IN_SCOPE_HINT
            and cues.is_substantive(message.text))
