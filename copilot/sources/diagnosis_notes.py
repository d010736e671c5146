"""The team setting "post the diagnosis as a private note": each new diagnosis of a chat goes to the
helpdesk beside the conversation (Chatwoot's private notes, never shown to the customer), so
colleagues who open the conversation there see what the copilot thought.

Attached by the session when the source has `post_note` (copilot.core.source.PrivateNotes) and the
team turned it on; one note per diagnosed customer message, in plain words.
"""
from __future__ import annotations

from copilot.core.changes import Change
from copilot.core.suggestion import Diagnosis


def note_text(diagnosis: Diagnosis, engine: str) -> str:
    best = diagnosis.best
    if best is None or diagnosis.abstained:
        head = "Agent Copilot: no confident diagnosis."
    else:
        head = f"Agent Copilot diagnosis: {best.label} ({best.confidence:.0%}, {engine})."
    lines = [head]
    others = [f"{c.label} {c.confidence:.0%}" for c in diagnosis.top[1:]]
    if others:
        lines.append("Also possible: " + ", ".join(others) + ".")
    if diagnosis.evidence:
        lines.append("Because of: " + ", ".join(diagnosis.evidence[:8]) + ".")
    if diagnosis.missing:
        lines.append("Still needed: " + ", ".join(diagnosis.missing) + ".")
    if diagnosis.steps:
        lines.append("Steps: " + " · ".join(diagnosis.steps[:6]))
    if diagnosis.needs_human:
        lines.append("The playbook says a person must handle this.")
    return "\n".join(lines)


class DiagnosisNotes:
    def __init__(self, workspace, source):
        self.workspace, self.source = workspace, source
        self._noted: set[tuple[str, int]] = set()  # (chat, customer message) already noted
        workspace.subscribe(self._on_change)

    def _on_change(self, change: Change, chat_id: str) -> None:
        if change is not Change.SUGGESTION:
            return
        state = self.workspace.suggestion_for(chat_id)
        if state is None or (chat_id, state.suggestion.message_id) in self._noted:
            return  # a redraft for the same message (the agent chose a category) is not noted again
        suggestion = state.suggestion
        self._noted.add((chat_id, suggestion.message_id))
        self.source.post_note(chat_id, note_text(suggestion.diagnosis, suggestion.engine), self.workspace.clock.now())
