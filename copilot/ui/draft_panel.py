"""The draft reply for the chat in focus, with Accept, Edit and Reject.

Accept sends the draft as is; Edit loads it into the composer (what is sent is compared with the
draft); Reject asks for a quick reason or a free-text one. The window owns the shortcuts.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from copilot.core.decisions import SuggestionState
from copilot.core.display_text import DISPLAY_LIMIT
from copilot.core.suggestion import REJECT_REASONS, DecisionKind
from copilot.ui.diagnosis_panel import plain_label

OTHER_REASON = "Other reason…"


class DraftPanel(QFrame):
    accept_requested = Signal()
    edit_requested = Signal()
    reject_requested = Signal(str)  # the reason

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sidePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(8)
        header = QHBoxLayout()
        header.addWidget(plain_label("DRAFT REPLY", "panelTitle"))
        header.addStretch(1)
        self.engine = plain_label("", "muted", wrap=False)
        header.addWidget(self.engine)
        layout.addLayout(header)

        self.text = QPlainTextEdit()
        self.text.setObjectName("draftText")
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(120)
        layout.addWidget(self.text, 1)
        self.status = plain_label("", "muted")
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept  (Ctrl+Enter)")
        self.accept_button.setObjectName("primary")
        self.accept_button.setToolTip("Send the draft exactly as it is")
        self.edit_button = QPushButton("Edit  (Ctrl+E)")
        self.edit_button.setToolTip("Load the draft into the composer to change it before sending")
        self.reject_button = QPushButton("Reject  (Ctrl+R)")
        self.reject_button.setObjectName("danger")
        self.reject_button.setToolTip("Dismiss the draft and say why")
        for button in (self.accept_button, self.edit_button, self.reject_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        # Free-text reason, shown only when "Other reason…" is picked.
        self.other_reason = QWidget()
        other = QHBoxLayout(self.other_reason)
        other.setContentsMargins(0, 0, 0, 0)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why is this draft not usable?  Enter to reject, Esc to cancel")
        self.reason_edit.setMaxLength(500)
        other.addWidget(self.reason_edit)
        layout.addWidget(self.other_reason)
        self.other_reason.hide()

        self.reasons_menu = QMenu(self)
        for reason in (*REJECT_REASONS, OTHER_REASON):
            action = QAction(reason, self.reasons_menu)
            action.triggered.connect(lambda _=False, r=reason: self._reason_picked(r))
            self.reasons_menu.addAction(action)

        self.accept_button.clicked.connect(self.accept_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.reject_button.clicked.connect(self.open_reasons)
        self.reason_edit.returnPressed.connect(self._free_reason_entered)
        self._streamed, self._streaming = "", False
        self.show_state(None, waiting=False)

    # ---- reasons --------------------------------------------------------------------------------
    def open_reasons(self) -> None:
        if not self.reject_button.isEnabled():
            return
        self.reasons_menu.popup(self.reject_button.mapToGlobal(self.reject_button.rect().bottomLeft()))

    def _reason_picked(self, reason: str) -> None:
        if reason == OTHER_REASON:
            self.other_reason.show()
            self.reason_edit.setFocus()
            return
        self.reject_requested.emit(reason)

    def _free_reason_entered(self) -> None:
        reason = self.reason_edit.text().strip()
        if reason:
            self.reason_edit.clear()
            self.other_reason.hide()
            self.reject_requested.emit(reason)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.other_reason.isVisible():
            self.reason_edit.clear()
            self.other_reason.hide()
            return
        super().keyPressEvent(event)

    # ---- state ----------------------------------------------------------------------------------
    def show_state(self, state: SuggestionState | None, waiting: bool, failure: str = "", hidden: str = "") -> None:
        """`hidden`: a draft exists but the assist mode keeps it back; the text says why."""
        self.other_reason.hide()
        self._streamed, self._streaming = "", False
        draft = state.suggestion.draft if state else None
        decided = state.decision.kind if state and state.decision else None
        can_act = draft is not None and decided is None and not (state and state.editing)
        for button in (self.accept_button, self.edit_button):
            button.setEnabled(can_act)
        self.reject_button.setEnabled(state is not None and decided is None)
        self.engine.setText(state.suggestion.engine if state else "")
        self.text.setPlainText(draft.text if draft else "")
        if hidden:
            self.text.setPlaceholderText(hidden)
        elif state is None:
            self.text.setPlaceholderText("Reading the conversation…" if waiting else "No draft: nothing to answer right now.")
        elif draft is None:
            self.text.setPlaceholderText("No draft for this message: reply in your own words.")
        self.status.setText(failure or self._status_text(state, decided))
        self.show_flags(tuple(getattr(draft, "flags", ())) if draft and decided is None else ())
        self.show_sources(draft.citations if draft else ())

    @staticmethod
    def _status_text(state: SuggestionState | None, decided: DecisionKind | None) -> str:
        if state is None:
            return ""
        if decided is DecisionKind.ACCEPTED:
            return "Sent as is."
        if decided is DecisionKind.EDITED:
            return f"Sent after editing ({state.decision.edit_distance:.0%} changed)."
        if decided is DecisionKind.REJECTED:
            return f"Rejected: {state.decision.reason}"
        if decided is DecisionKind.IGNORED:
            return "You replied in your own words."
        if state.editing:
            return "Editing in the composer: what you send is compared with this draft."
        return "Read it, then accept, edit or reject."

    # ---- streamed drafts and guard flags ------------------------------------------------------
    def show_stream(self, text: str) -> None:
        """A draft still being written: shown as it grows, with nothing to accept until it is whole.

        Called at most once per frame. Only the new tail is inserted (re-laying out the whole text
        on every update is what froze the window on a flooding endpoint), and only the first
        DISPLAY_LIMIT characters are shown while it streams.
        """
        text = text[:DISPLAY_LIMIT]
        current = self._streamed
        if current and text.startswith(current):
            if len(text) > len(current):
                cursor = self.text.textCursor()
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(text[len(current):])
        elif text != current:
            self.text.setPlainText(text)
        self._streamed = text
        if not self._streaming:
            self._streaming = True
            self.accept_button.setEnabled(False)
            self.edit_button.setEnabled(False)
            self.status.setText("Writing the draft… you can act on it once it is complete.")

    def show_flags(self, flags: tuple[str, ...]) -> None:
        """What the guard found in the draft (promises, repeated instructions): read before sending."""
        label = getattr(self, "flags_label", None)
        if label is None:
            if not flags:
                return
            label = self.flags_label = plain_label("", "draftFlags")
            label.setStyleSheet("color: #b45309; font-weight: 600;")
            self.layout().insertWidget(self.layout().indexOf(self.text) + 1, label)
        label.setText("\n".join(f"⚠ {flag}" for flag in flags))
        label.setVisible(bool(flags))

    def show_sources(self, citations) -> None:
        """The team's saved replies and articles the draft rests on (copilot/knowledge), by title."""
        label = getattr(self, "sources_label", None)
        if label is None:
            if not citations:
                return
            label = self.sources_label = plain_label("", "muted")
            self.layout().insertWidget(self.layout().indexOf(self.text) + 1, label)
        label.setText("Based on: " + " · ".join(c.title for c in citations) if citations else "")
        label.setVisible(bool(citations))
