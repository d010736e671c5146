"""Where the agent writes: Enter sends, Shift+Enter starts a new line."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit


class Composer(QPlainTextEdit):
    send_requested = Signal(str)
    typed = Signal()  # the agent pressed a key that changes the text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("composer")
        self.setPlaceholderText("Write a reply…  Enter sends · Shift+Enter new line")
        self.setTabChangesFocus(True)
        self.setMaximumHeight(120)
        self.setMinimumHeight(64)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        modifiers = event.modifiers()
        if enter and not (modifiers & Qt.KeyboardModifier.ShiftModifier) and not (modifiers & Qt.KeyboardModifier.ControlModifier):
            text = self.toPlainText()
            if text.strip():
                self.send_requested.emit(text)
            return
        if enter and modifiers & Qt.KeyboardModifier.ControlModifier:
            event.ignore()  # Ctrl+Enter belongs to the window (accept the draft)
            return
        before = self.document().characterCount()
        super().keyPressEvent(event)
        if event.text() or self.document().characterCount() != before:
            self.typed.emit()

    def load(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)
        self.setFocus()
