"""Scripted agents for the self-test: what a careful or a passive agent does next.

Qt-free: a policy looks at the workspace and returns one Action; the driver performs it through
the real window (clicks, key presses), waits the action's duration on the session clock, asks again.

- passive: accepts nearly every draft within a second, barely reads; rarely writes their own reply.
- careful: reads the draft (about 4 words a second), rejects drafts whose diagnosis is wrong,
  edits often, and writes their own reply when there is no usable draft or the draft repeats a
  reply they already sent (the customer answered it; sending it again only goes round in circles).
- overloaded: careful, but the shift starts calm (2 chats at once) and then the chat limit is
  raised to 8; with every extra open chat the agent gets slower, as people do when they juggle.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from copilot.core.assist_state import AssistStatus
from copilot.core.chat import Chat, Sender
from copilot.core.workspace import SuggestionState, Workspace

POLICIES = ("careful", "passive", "overloaded")
READING_WORDS_PER_SECOND = 4.0
MAX_WAIT_FOR_WORK = 120.0  # session seconds an agent waits for a draft the window says is being made
CALM_CHATS, BUSY_CHATS, CALM_UNTIL = 2, 8, 10  # the overloaded shift: limit 2, then 8 from chat 10

# Sentences a careful agent adds or swaps in when editing, to make the reply their own.
PERSONAL_TOUCHES = (
    "Thanks for your patience while I look into this.",
    "I'm sorry for the trouble this has caused.",
    "I'll stay with you until this is sorted.",
    "Let me check that for you right away.",
)


@dataclass(frozen=True)
class Action:
    kind: str  # focus | accept | edit | reject | reply | resolve | wait
    chat_id: str = ""
    text: str = ""  # reply or edited text, or the reject reason
    seconds: float = 0.0  # session-clock seconds the agent spends before this action happens


class ScriptedAgent:
    def __init__(self, policy: str, simulator, seed: int = 0):
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}: choose one of {', '.join(POLICIES)}")
        self.policy = policy
        self.simulator = simulator  # used as the oracle: the scenario's true issue and a useful reply
        self.random = random.Random(seed)

    def next_action(self, ws: Workspace) -> Action:
        action = self._next(ws)
        if self.policy != "overloaded":
            return action
        # The calm first third of the shift is the agent's usual load; then the floodgates open.
        self.simulator.capacity = CALM_CHATS if len(ws.chats) < CALM_UNTIL else BUSY_CHATS
        slowdown = 1.0 + 0.3 * max(0, len(ws.open_chats) - CALM_CHATS)
        return Action(action.kind, action.chat_id, action.text, action.seconds * slowdown)

    def _next(self, ws: Workspace) -> Action:
        chat = self._pick_chat(ws)
        if chat is None:
            done = self._finished_chat(ws)
            return Action("resolve", done.id, seconds=1.0) if done else Action("wait", seconds=1.0)
        if chat.id != ws.focused_id:
            return Action("focus", chat.id, seconds=self.random.uniform(0.3, 1.0))
        state = ws.suggestion_for(chat.id)
        if state is None or state.decision is not None:
            if state is None and self._suggestion_may_come(ws, chat):
                return Action("wait", chat.id, seconds=0.5)
            return self._own_reply(chat)
        return self._decide(chat, state)

    # ---- choices ---------------------------------------------------------------------------------
    def _pick_chat(self, ws: Workspace) -> Chat | None:
        waiting = [c for c in ws.ranked_chats() if c.is_open and c.awaiting_reply_since is not None]
        if not waiting:
            return None
        # Stay on the focused chat while it still needs a reply, as people do; else the most urgent.
        focused = ws.focused
        if focused is not None and focused in waiting:
            return focused
        return waiting[0]

    def _finished_chat(self, ws: Workspace) -> Chat | None:
        for chat in ws.open_chats:
            if self.simulator.outcome(chat.id).resolved_correctly:
                return chat
        return None

    def _suggestion_may_come(self, ws: Workspace, chat: Chat) -> bool:
        """Wait a moment for the draft; longer while the window shows it being made (a model
        endpoint can take a while), but not for ever."""
        last = chat.last_customer_message
        if last is None:
            return False
        waited = ws.clock.now() - last.ts
        assist = ws.assist.get(chat.id)
        working = assist is not None and assist.message_id == last.id and assist.status in (
            AssistStatus.WORKING, AssistStatus.STREAMING)
        return waited < (MAX_WAIT_FOR_WORK if working else 5.0)

    def _decide(self, chat: Chat, state: SuggestionState) -> Action:
        draft = state.suggestion.draft
        words = len(draft.text.split()) if draft else 0
        if self.policy == "passive":  # (the overloaded agent decides like the careful one)
            if draft is not None and self.random.random() < 0.95:
                return Action("accept", chat.id, seconds=self.random.uniform(0.3, 0.9))
            return self._own_reply(chat)
        reading = words / READING_WORDS_PER_SECOND + self.random.uniform(1.0, 3.0)
        if draft is None:
            return self._own_reply(chat)
        if not self._diagnosis_right(chat, state):
            return Action("reject", chat.id, text="Wrong diagnosis", seconds=reading)
        if self._already_sent(chat, draft.text):  # it did not work the first time: say something else
            return self._own_reply(chat)
        if self.random.random() < 0.5:
            return Action("edit", chat.id, text=self._edited(draft.text), seconds=reading + 4.0)
        return Action("accept", chat.id, seconds=reading)

    def _diagnosis_right(self, chat: Chat, state: SuggestionState) -> bool:
        diagnosis = state.suggestion.diagnosis
        truth = self.simulator.scenario_of(chat.id).issue
        if diagnosis.abstained or diagnosis.best is None:
            return False
        return diagnosis.best.category == truth

    @staticmethod
    def _already_sent(chat: Chat, text: str) -> bool:
        """The draft repeats one of the agent's recent replies (sent as is or edited around it)."""
        return any(m.sender is Sender.AGENT and text.strip() in m.text for m in chat.messages[-8:])

    def _edited(self, text: str) -> str:
        touch = self.random.choice(PERSONAL_TOUCHES)
        if self.random.random() < 0.5:
            return f"{touch} {text}"
        return f"{text} {touch}"

    def _own_reply(self, chat: Chat) -> Action:
        text = self.simulator.hint_reply(chat.id)
        typing = len(text) / 6.0  # about 70 words a minute
        return Action("reply", chat.id, text=text, seconds=typing)
