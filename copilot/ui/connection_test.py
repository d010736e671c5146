"""What the connection dialogs share (Model endpoint, Chat source): the masked secret field with its
Forget button, and the "Test connection" row: a button, the plain answer (✓ or ✗), and
the test itself on the background helper, so a slow server never freezes the window. Closing the
dialog while a test runs cancels it (its answer has nowhere to go)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton

from copilot.core.jobs import Job
from copilot.ui.diagnosis_panel import plain_label


class ConnectionTest:
    def __init__(self, background, on_click: Callable[[], None]):
        self.background = background  # copilot.ui.background.Background
        self.button = QPushButton("Test connection")
        self.button.clicked.connect(on_click)
        self.result = plain_label("", "muted")
        self.row = QHBoxLayout()
        self.row.addWidget(self.button)
        self.row.addWidget(self.result, 1)
        self._running = None

    def start(self, waiting_text: str, work: Callable[[object], tuple[bool, str]]) -> None:
        self.button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(waiting_text)
        self._running = self.background.run(Job(
            work, "Testing the connection", on_done=self.show,
            on_error=lambda e: self.show((False, f"The test itself failed: {type(e).__name__}"))))

    def show(self, answer: tuple[bool, str]) -> None:
        ok, message = answer
        self._running = None
        self.button.setEnabled(True)
        self.result.setText(("✓ " if ok else "✗ ") + message)
        self.result.setStyleSheet(f"color: {'#15803d' if ok else '#b91c1c'};")

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()


def secret_row(placeholder: str, forget_label: str, on_forget: Callable[[], None]) -> tuple[QLineEdit, QHBoxLayout]:
    """A masked field for a key, token or password, and the button that forgets the saved one."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    forget = QPushButton(forget_label)
    forget.clicked.connect(on_forget)
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(forget)
    return field, row
