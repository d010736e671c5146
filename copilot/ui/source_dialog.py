"""Copilot ▸ Chat source…: where chats come from (the built-in simulator, a Chatwoot install, a
Matrix homeserver), how to sign in, and a "Test connection" button.

The token or password goes only to copilot.secrets (the OS keyring, or this session's memory when
there is none, said plainly); the settings keep a secret-free SourceConfig. The test runs on the
background helper with a total deadline, so a silent server cannot freeze the window. A new
source is used from the next start of the app (chats of the current shift stay where they are).
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout,
)

from copilot import secrets
from copilot.settings import Settings
from copilot.sources.config import SOURCE_KINDS, SourceConfig
from copilot.sources.factory import TEST_DEADLINE, source_config_of
from copilot.ui.connection_test import ConnectionTest, secret_row
from copilot.ui.diagnosis_panel import plain_label

KIND_LABELS = {"simulator": "Built-in simulator (practice, demos)", "chatwoot": "Chatwoot",
               "matrix": "Matrix homeserver"}


class SourceDialog(QDialog):
    def __init__(self, settings: Settings, background, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Chat source")
        self.setMinimumWidth(600)
        self._original = settings
        try:
            current = source_config_of(settings)
        except ValueError:
            current = SourceConfig()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        for kind in SOURCE_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setCurrentIndex(SOURCE_KINDS.index(current.kind))
        form.addRow("Chats come from", self.kind)
        self.url = QLineEdit(current.url)
        self.url.setPlaceholderText("https://support.example.com  ·  https://matrix.example.com")
        form.addRow("Address", self.url)
        self.user = QLineEdit(current.user)
        self.user.setPlaceholderText("Matrix: @dana:example.com (Chatwoot signs in with the token alone)")
        form.addRow("User", self.user)
        self.use_token = QCheckBox("Matrix: sign in with an access token instead of a password")
        self.use_token.setChecked(current.login == "token")
        form.addRow("", self.use_token)
        self.space = QLineEdit(current.space)
        self.space.setPlaceholderText("Matrix: only rooms in this space, e.g. #support:example.com (empty: all rooms)")
        form.addRow("Space", self.space)
        self.staff = QLineEdit(", ".join(current.staff))
        self.staff.setPlaceholderText("Matrix: colleagues and bots who are never the customer, e.g. @whatsappbot:example.com")
        form.addRow("Staff", self.staff)
        self.inboxes = QLineEdit(", ".join(str(i) for i in current.inbox_ids))
        self.inboxes.setPlaceholderText("Chatwoot: only these inbox ids, e.g. 1, 4 (empty: all)")
        form.addRow("Inboxes", self.inboxes)
        self.notes = QCheckBox("Chatwoot: post each diagnosis as a private note (a team setting)")
        self.notes.setChecked(current.private_notes)
        form.addRow("", self.notes)
        self.secret, row = secret_row("password or access token (kept in the system keyring, never in the settings file)",
                                      "Forget", self._forget)
        form.addRow("Password / token", row)
        self.note = plain_label("", "muted")
        form.addRow("", self.note)
        layout.addLayout(form)
        self.tester = ConnectionTest(background, self.test_connection)
        self.test_button, self.test_result = self.tester.button, self.tester.result
        layout.addLayout(self.tester.row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._show_fields)
        self._show_fields()

    def _show_fields(self) -> None:
        kind = self.kind.currentData()
        for widget in (self.url, self.secret, self.test_button):
            widget.setEnabled(kind != "simulator")
        for widget in (self.user, self.use_token, self.space, self.staff):
            widget.setEnabled(kind == "matrix")
        for widget in (self.inboxes, self.notes):
            widget.setEnabled(kind == "chatwoot")
        self.note.setText("The new source is used from the next start of the app." + (
            "\n" + secrets.keyring_problem() if secrets.keyring_problem() else ""))

    def config(self) -> SourceConfig:
        """The typed source; raises ValueError with a plain sentence when something is wrong."""
        kind = self.kind.currentData()
        if kind == "simulator":
            return SourceConfig()
        inboxes = [part.strip() for part in self.inboxes.text().split(",") if part.strip()]
        if any(not part.isdigit() for part in inboxes):
            raise ValueError("inbox ids must be numbers separated by commas")
        return SourceConfig(
            kind=kind, url=self.url.text().strip(), user=self.user.text().strip(),
            login="token" if kind == "chatwoot" or self.use_token.isChecked() else "password",
            space=self.space.text().strip(),
            staff=tuple(part.strip() for part in self.staff.text().split(",") if part.strip()),
            inbox_ids=tuple(int(part) for part in inboxes), private_notes=self.notes.isChecked(),
        ).validated()

    def test_connection(self) -> None:
        from copilot.sources.factory import test_connection

        try:
            config = self.config()
        except ValueError as exc:
            return self.tester.show((False, str(exc)))
        typed = self.secret.text().strip()

        def work(_control):
            secret = typed or secrets.get_source_secret(config.secret_account) or ""  # the keyring may be slow
            return test_connection(config, secret)

        self.tester.start(f"Testing {config.url} (up to {TEST_DEADLINE:g} s)…", work)

    def _forget(self) -> None:
        try:
            secrets.set_source_secret(self.config().secret_account, "")
        except ValueError:
            pass
        self.secret.clear()

    def done(self, result: int) -> None:
        self.tester.cancel()
        super().done(result)

    def _accept_if_valid(self) -> None:
        try:
            self.config()
        except ValueError as exc:
            self.tester.show((False, str(exc)))
            return
        self.accept()

    def result_settings(self) -> Settings:
        config = self.config()
        return replace(self._original, chat_source={} if config.kind == "simulator" else config.to_dict())

    def save_secret(self) -> str:
        """Keep a newly typed secret; returns a note when it could not be kept for good."""
        typed = self.secret.text().strip()
        if not typed:
            return ""
        message = secrets.set_source_secret(self.config().secret_account, typed)
        self.secret.clear()
        return message if secrets.keyring_problem() else ""
