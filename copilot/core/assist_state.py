"""What the assistant is doing for one chat, kept in the workspace so the panels only display it.

The suggestion coordinator (copilot/assist/coordinator.py) is the only writer. A chat has at most
one piece of work that counts: `generation` grows with every request, and a result whose
generation is older is stale and dropped, so a newer customer message always wins.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from copilot.core.modes import DraftKind, EngineName
from copilot.core.suggestion import Diagnosis

MAX_CACHED_DIAGNOSES = 8  # per chat: enough for redrafts of recent messages


class AssistStatus(str, enum.Enum):
    IDLE = "idle"  # nothing asked yet, or the chat ended
    WORKING = "working"  # diagnosing (or waiting for a free worker)
    STREAMING = "streaming"  # the draft is being written; `stream` holds it so far
    READY = "ready"  # the suggestion reached the workspace
    FAILED = "failed"  # nothing to show; `failure` says why in plain words


@dataclass
class AssistState:
    message_id: int | None = None  # the customer message being answered
    kind: DraftKind = DraftKind.ROUTINE
    category: str = ""  # DraftKind.CHOSEN: the agent's category
    status: AssistStatus = AssistStatus.IDLE
    stream: str = ""  # the draft so far, while STREAMING
    failure: str = ""
    notice: str = ""  # the configured engine failed and the offline one answered: why
    generation: int = 0
    # The engine's own diagnosis per answered message, so a redraft for the agent's pick needs no
    # second diagnosis: message id -> (diagnosis, the engine that made it).
    diagnoses: dict[int, tuple[Diagnosis, EngineName]] = field(default_factory=dict)

    def remember(self, message_id: int, diagnosis: Diagnosis, engine: EngineName) -> None:
        self.diagnoses[message_id] = (diagnosis, engine)
        while len(self.diagnoses) > MAX_CACHED_DIAGNOSES:
            self.diagnoses.pop(next(iter(self.diagnoses)))
