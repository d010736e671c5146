"""What the source knows about each room: who the customer is, and whether its chat is open.

A room is one chat at a time. It ends when the customer leaves, the agent resolves or closes it
(a room tag), or it ends outside the app; a customer who writes again after that opens a new chat
in the same room (its id gets a round number), so an old chat is never reopened, even after a
restart (`ended_at_ms` is kept in the state file and compared with each message's server time).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

RESOLVED_TAG = "u.copilot.resolved"
CLOSED_TAG = "u.copilot.closed"
ENDING_TAGS = (RESOLVED_TAG, CLOSED_TAG)


@dataclass
class RoomInfo:
    room_id: str
    creator: str = ""
    customer: str = ""  # the customer's Matrix id ("" until known)
    names: dict[str, str] = field(default_factory=dict)  # member id -> display name
    joined: list[str] = field(default_factory=list)  # members in the order they joined
    is_space: bool = False
    round: int = 0  # chats this room has had
    open: bool = False
    opened_at: float = 0.0
    ended_at_ms: int = 0  # server time the last chat ended; older messages never reopen it
    last_event_id: str = ""

    @property
    def chat_id(self) -> str:
        return self.room_id if self.round <= 1 else f"{self.room_id}~{self.round}"

    def name_of(self, user_id: str) -> str:
        return self.names.get(user_id) or user_id

    def choose_customer(self, agent: str, staff: frozenset[str]) -> str:
        """The creator, unless that is the agent or staff (a bridge bot); else the first member
        who joined and is neither. Chosen once and kept."""
        if not self.customer:
            if self.creator and self.creator != agent and self.creator not in staff:
                self.customer = self.creator
            else:
                self.customer = next((m for m in self.joined if m != agent and m not in staff), "")
        return self.customer

    def member_event(self, user_id: str, membership: str, name: str) -> None:
        if name:
            self.names[user_id] = name
        if membership == "join" and user_id not in self.joined:
            self.joined.append(user_id)
        elif membership in ("leave", "ban") and user_id in self.joined:
            self.joined.remove(user_id)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "RoomInfo":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
