"""The wrap-up note dialog: the note for a chat (resolved, closed, or open for a handover), editable,
with Copy and, when the helpdesk keeps private notes, Post as private note. Plain text only."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout


class WrapUpDialog(QDialog):
    post_requested = Signal(str, str)  # chat id, the note as edited

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setModal(False)
        self.resize(560, 420)
        self.chat_id = ""
        self.notice = QLabel("")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.text = QPlainTextEdit()
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.post_button = buttons.addButton("&Post as private note", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self.copy)
        self.post_button.clicked.connect(lambda: self.post_requested.emit(self.chat_id, self.text.toPlainText()))

    def show_waiting(self, chat_id: str, customer: str) -> None:
        self.chat_id = chat_id
        self.setWindowTitle(f"Wrap-up note – {customer}")
        self.text.setPlainText("")
        self.text.setPlaceholderText("Writing the note…")
        self.notice.setText("")
        self.show()
        self.raise_()

    def show_note(self, chat_id: str, note, can_post: bool) -> None:
        """`note`: a copilot.assist.wrapup.WrapUpNote, for the chat the dialog is showing."""
        if chat_id != self.chat_id:
            return  # the agent asked for another chat's note meanwhile
        self.text.setPlainText(note.as_text())
        self.notice.setText(note.notice or f"Written by the {note.engine} engine: check it before you use it.")
        self.post_button.setEnabled(can_post)
        self.post_button.setToolTip("" if can_post else "This chat's source keeps no private notes: copy the note instead.")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.notice.setText("Copied.")
