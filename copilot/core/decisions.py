"""The agent and the suggestion for a chat: shown, revealed, the diagnosis picked, accepted, edited,
rejected, set aside. Part of the Workspace (copilot/core/workspace.py), kept apart to be read alone.

Every decision is reported to the recorder with the time from display to decision, the time to the
first keystroke, and the edit distance between the draft and what was sent.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from copilot.core.changes import Change
from copilot.core.edit_distance import normalised_edit_distance
from copilot.core.modes import AssistMode
from copilot.core.recorder import RecordKind
from copilot.core.suggestion import Decision, DecisionKind, Suggestion


@dataclass
class SuggestionState:
    """A suggestion and where the agent is with it."""

    suggestion: Suggestion
    diagnosis_visible: bool = True
    draft_visible: bool = True
    redrafting: bool = False  # the agent picked a category; its draft is on the way
    chosen_category: str = ""  # that category
    blind: bool = False  # blind-first: hidden until the agent names the issue from the whole list
    shown_at: float | None = None  # when the draft became visible to the agent
    editing: bool = False  # loaded into the composer
    first_keystroke_at: float | None = None
    decision: Decision | None = None


class SuggestionDecisions:
    """Mixed into Workspace: uses its chats, clock, recorder, mode, suggestions, tally and _emit."""

    def suggestion_for(self, chat_id: str) -> SuggestionState | None:
        return self.suggestions.get(chat_id)

    def offer_suggestion(self, suggestion: Suggestion) -> bool:
        """A finished suggestion arrives. Kept only if it answers the chat's latest customer message."""
        chat = self.chats.get(suggestion.chat_id)
        if chat is None or not chat.is_open:
            return False
        self.observe_diagnosis(chat.id, suggestion)
        latest = chat.last_customer_message
        if latest is None or latest.id != suggestion.message_id:
            return False  # stale: a newer message arrived while it was being made
        previous = self.suggestions.get(chat.id)
        if previous is not None and previous.redrafting and previous.suggestion.message_id == suggestion.message_id:
            # The draft for the category the agent chose: it replaces the first one, undecided.
            self.suggestions[chat.id] = SuggestionState(suggestion)
        elif self.blind is not None and self.blind.is_blind(chat.id):
            self._retire_suggestion(chat.id, self.clock.now(), superseded=True)
            self.suggestions[chat.id] = SuggestionState(suggestion, diagnosis_visible=False, draft_visible=False,
                                                        blind=True)
        else:
            self._retire_suggestion(chat.id, self.clock.now(), superseded=True)
            self.suggestions[chat.id] = SuggestionState(
                suggestion,
                diagnosis_visible=self.mode is not AssistMode.ON_REQUEST,
                draft_visible=self.mode is AssistMode.AUTOMATIC,
            )
        if suggestion.diagnosis.label:
            chat.issue_guess = suggestion.diagnosis.label
        if chat.id == self.focused_id:
            self._mark_shown(chat.id)
        self._emit(Change.SUGGESTION, chat.id)
        self._emit(Change.CHAT_CHANGED, chat.id)
        return True

    def reveal(self, chat_id: str) -> bool:
        """Suggestions-on-request: the agent asks to see the suggestion."""
        state = self._pending(chat_id)
        if state is None or (state.diagnosis_visible and state.draft_visible):
            return False
        state.diagnosis_visible = True
        if self.mode is not AssistMode.DIAGNOSE_FIRST:
            state.draft_visible = True
        self.recorder.record(RecordKind.SUGGESTION_REQUESTED, self.clock.now(), chat_id=chat_id,
                             suggestion_id=state.suggestion.id)
        self._mark_shown(chat_id)
        self._emit(Change.SUGGESTION, chat_id)
        return True

    def confirm_diagnosis(self, chat_id: str, category: str | None) -> bool:
        """Diagnose-first: the agent picks the issue (None: none of the offered ones fits)."""
        state = self._pending(chat_id)
        if state is None or state.draft_visible or state.redrafting:
            return False
        best = state.suggestion.diagnosis.best
        engine_category = best.category if best and not state.suggestion.diagnosis.abstained else ""
        now = self.clock.now()
        self.recorder.record(
            RecordKind.DIAGNOSIS_CONFIRMED, now, chat_id=chat_id, suggestion_id=state.suggestion.id,
            chosen=category or "", engine_category=engine_category, agreed=bool(category) and category == engine_category,
        )
        if category is None:
            state.draft_visible = True  # nothing to show, but the decision is made: the diagnosis was wrong
            state.shown_at = now
            self._decide(state, DecisionKind.REJECTED, now, reason="Wrong diagnosis")
        elif category == engine_category:
            state.draft_visible = True
            self._mark_shown(chat_id)
        else:
            self._redraft_for(state, chat_id, category)
        self._emit(Change.SUGGESTION, chat_id)
        return True

    def pick_category(self, chat_id: str, category: str) -> bool:
        """The engine found no matching category and the agent names one: a draft for it follows."""
        state = self._pending(chat_id)
        if state is None or not state.suggestion.diagnosis.abstained or state.redrafting or not category:
            return False
        hints = [c.category for c in state.suggestion.diagnosis.top]
        self.recorder.record(RecordKind.CATEGORY_PICKED, self.clock.now(), chat_id=chat_id,
                             suggestion_id=state.suggestion.id, chosen=category,
                             hint_rank=hints.index(category) + 1 if category in hints else 0)
        self._redraft_for(state, chat_id, category)
        self._emit(Change.SUGGESTION, chat_id)
        return True

    def blind_pick(self, chat_id: str, category: str) -> bool:
        """Blind-first: the agent names the issue ("" to skip) before seeing the engine's. Then the
        suggestion appears as the mode shows it; if the agent named another category that has a
        playbook, the draft is written for theirs, as in diagnose-first."""
        state = self._pending(chat_id)
        if state is None or not state.blind or self.blind is None:
            return False
        diagnosis = state.suggestion.diagnosis
        engine_category = diagnosis.best.category if diagnosis.best and not diagnosis.abstained else ""
        self.blind.picked(chat_id, category, engine_category, state.suggestion.id, self.clock.now())
        state.blind = False
        state.diagnosis_visible = self.mode is not AssistMode.ON_REQUEST
        if category and category != engine_category and category in self.categories:
            self._redraft_for(state, chat_id, category)
        else:
            state.draft_visible = self.mode is AssistMode.AUTOMATIC
            self._mark_shown(chat_id)
        self._emit(Change.SUGGESTION, chat_id)
        return True

    def _redraft_for(self, state: SuggestionState, chat_id: str, category: str) -> None:
        state.redrafting, state.chosen_category = True, category
        self._emit(Change.CATEGORY_CHOSEN, chat_id)

    def _mark_shown(self, chat_id: str) -> None:
        state = self.suggestions.get(chat_id)
        if state is None or state.shown_at is not None or state.decision is not None or not state.draft_visible:
            return
        state.shown_at = self.clock.now()
        self.tally["shown"] += 1
        s = state.suggestion
        draft = s.draft.text if s.draft else ""
        best = s.diagnosis.best
        self.recorder.record(
            RecordKind.SUGGESTION_SHOWN, state.shown_at, chat_id=chat_id, suggestion_id=s.id, message_id=s.message_id,
            engine=s.engine, category=best.category if best else "",
            confidence=round(best.confidence, 4) if best else 0.0, abstained=s.diagnosis.abstained,
            draft_length=len(draft), draft_hash=hashlib.sha256(draft.encode()).hexdigest()[:16] if draft else "",
            diagnosis_engine=s.diagnosis_engine.value, draft_engine=s.draft_engine.value if s.draft_engine else "",
            draft_kind=s.draft_kind.value,
        )
        if s.draft is not None and s.draft.citations:  # the team's saved replies and articles it rests on
            self.recorder.record(RecordKind.KNOWLEDGE_CITED, state.shown_at, chat_id=chat_id, suggestion_id=s.id,
                                 item_ids=[c.item_id for c in s.draft.citations])

    def _retire_suggestion(self, chat_id: str, ts: float, superseded: bool) -> None:
        """Drop the chat's suggestion; if the agent saw it and never decided, that is 'ignored'.

        superseded: something other than the agent retired it (a newer customer message or
        suggestion, the customer leaving); the decision is logged all the same, marked so.
        """
        state = self.suggestions.pop(chat_id, None)
        if state is not None and state.shown_at is not None and state.decision is None:
            self._decide(state, DecisionKind.IGNORED, ts, superseded=superseded)
        if state is not None:
            self._emit(Change.SUGGESTION, chat_id)

    def _decide(self, state: SuggestionState, kind: DecisionKind, ts: float, sent: str = "", reason: str = "",
                superseded: bool = False) -> Decision:
        s = state.suggestion
        draft = s.draft.text if s.draft else ""
        distance = normalised_edit_distance(draft, sent) if kind in (DecisionKind.ACCEPTED, DecisionKind.EDITED) else 0.0
        shown_at = state.shown_at if state.shown_at is not None else ts
        decision = Decision(s.id, s.chat_id, kind, shown_at, ts, sent_text=sent, edit_distance=distance, reason=reason,
                            superseded=superseded)
        state.decision = decision
        self.decisions.append(decision)
        self.tally[kind.value] += 1
        if superseded:
            self.tally["superseded"] += 1
        first_key = None if state.first_keystroke_at is None else round(state.first_keystroke_at - shown_at, 3)
        self.recorder.record(
            RecordKind.DECISION, ts, chat_id=s.chat_id, suggestion_id=s.id, kind=kind.value,
            seconds_to_decide=round(decision.seconds_to_decide, 3), edit_distance=round(distance, 4),
            reason=reason, sent_length=len(sent), seconds_to_first_keystroke=first_key,
            **({"superseded": True} if superseded else {}),  # kept in the row's `extra` column
        )
        return decision

    # ---- the agent's decisions ---------------------------------------------------------------
    def accept(self, chat_id: str) -> Decision | None:
        """Send the draft exactly as suggested."""
        state = self._actionable(chat_id)
        if state is None or state.suggestion.draft is None:
            return None
        text = state.suggestion.draft.text
        now = self.clock.now()
        decision = self._decide(state, DecisionKind.ACCEPTED, now, sent=text)
        self.chats[chat_id].sent_category = state.suggestion.draft.category
        self._send(chat_id, text, now, suggestion_id=state.suggestion.id)
        return decision

    def start_edit(self, chat_id: str) -> str | None:
        """The agent takes the draft into the composer. Returns the text to load."""
        state = self._actionable(chat_id)
        if state is None or state.suggestion.draft is None:
            return None
        state.editing = True
        if state.first_keystroke_at is None:
            state.first_keystroke_at = self.clock.now()
        self._emit(Change.SUGGESTION, chat_id)
        return state.suggestion.draft.text

    def note_keystroke(self, chat_id: str) -> None:
        state = self._pending(chat_id)
        if state is not None and state.first_keystroke_at is None:
            state.first_keystroke_at = self.clock.now()

    def reject(self, chat_id: str, reason: str) -> Decision | None:
        state = self._actionable(chat_id)
        if state is None:
            return None
        decision = self._decide(state, DecisionKind.REJECTED, self.clock.now(), reason=reason.strip())
        self._emit(Change.SUGGESTION, chat_id)
        return decision

    def _pending(self, chat_id: str) -> SuggestionState | None:
        state = self.suggestions.get(chat_id)
        if state is None or state.decision is not None:
            return None
        return state

    def _actionable(self, chat_id: str) -> SuggestionState | None:
        """A pending suggestion whose draft the agent can see, so can accept, edit or reject."""
        state = self._pending(chat_id)
        return state if state is not None and state.draft_visible and state.shown_at is not None else None
