"""The "Model endpoint" dialog: which engine, which OpenAI-compatible endpoint, its options, the API
key, and a "Test connection" button.

The key goes only to copilot.secrets (the OS keyring, or this session's memory when there is no
keyring, which the dialog says plainly); it is never part of the Settings object. The test runs
on the background helper: a slow endpoint cannot freeze the window, and the dialog can be closed
while it runs.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from copilot import secrets
from copilot.assist.llm.config import LLMConfig, is_loopback, url_problem
from copilot.core.jobs import Job
from copilot.core.modes import EngineName
from copilot.settings import Settings
from copilot.ui.diagnosis_panel import plain_label



class LLMSettingsDialog(QDialog):
    def __init__(self, settings: Settings, background, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Model endpoint")
        self.setMinimumWidth(600)
        self._original = settings
        self.background = background  # copilot.ui.background.Background
        self._test = None  # the running connection test's control
        layout = QVBoxLayout(self)
        engines = QWidget()
        engines_layout = QVBoxLayout(engines)
        engines_layout.setContentsMargins(0, 0, 0, 0)
        self.offline_button = QRadioButton("Offline: the built-in model and playbooks (no network)")
        self.llm_button = QRadioButton("LLM endpoint: diagnosis and drafts from the model below, "
                                       "with the offline engine as a fallback")
        (self.llm_button if settings.engine == EngineName.LLM else self.offline_button).setChecked(True)
        engines_layout.addWidget(self.offline_button)
        engines_layout.addWidget(self.llm_button)

        form = QFormLayout()
        form.addRow("Engine", engines)
        self.base_url = QLineEdit(settings.llm_base_url)
        self.base_url.setPlaceholderText("http://127.0.0.1:8080/v1  ·  https://api.openai.com/v1")
        form.addRow("Base URL", self.base_url)
        self.model = QLineEdit(settings.llm_model)
        self.model.setPlaceholderText("e.g. gpt-4o-mini, llama3.2 — empty: the server's default")
        form.addRow("Model", self.model)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(settings.llm_temperature)
        form.addRow("Temperature", self.temperature)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1.0, 600.0)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(settings.llm_timeout)
        form.addRow("Timeout", self.timeout)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 8192)
        self.max_tokens.setValue(settings.llm_max_tokens)
        form.addRow("Max tokens", self.max_tokens)
        self.redact = QCheckBox("Mask personal data (e-mail, phone, card, address, name) before sending it "
                                "to an endpoint that is not on this computer")
        self.redact.setChecked(settings.llm_redact_remote)
        form.addRow("Privacy", self.redact)

        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("API key (stored in the system keyring, never in the settings file)")
        forget = QPushButton("Forget key")
        forget.clicked.connect(self._forget_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(forget)
        form.addRow("API key", key_row)
        self.key_note = plain_label("", "muted")
        form.addRow("", self.key_note)
        layout.addLayout(form)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = plain_label("", "muted")
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.base_url.textChanged.connect(self._show_key_source)
        self.redact.toggled.connect(self._show_key_source)
        self._show_key_source()

    def _show_key_source(self) -> None:
        url = self.base_url.text().strip()
        note = secrets.key_source_note(url)
        problem = secrets.keyring_problem()
        if problem:
            note += "\n" + problem
        if url and not url_problem(url) and not is_loopback(url) and not self.redact.isChecked():
            note += "\nPersonal data will be sent unmasked to this remote endpoint."
        self.key_note.setText(note)

    def _forget_key(self) -> None:
        secrets.delete_api_key(self.base_url.text().strip())
        self.key.clear()
        self._show_key_source()

    def config(self) -> LLMConfig:
        return LLMConfig(self.base_url.text().strip(), self.model.text().strip(), self.temperature.value(),
                         self.timeout.value(), self.max_tokens.value(), self.redact.isChecked())

    def test_connection(self) -> None:
        """Runs on the background helper; the answer comes back on the UI thread."""
        from copilot.assist.llm.client import check_connection

        config = self.config()
        typed = self.key.text().strip()
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(f"Testing {config.base_url} (up to {config.timeout:g} s)…")

        def work(_control):
            key = typed or secrets.get_api_key(config.base_url)  # the keyring may be slow: not on the UI thread
            return check_connection(config, key)

        self._test = self.background.run(Job(work, "Testing the connection", on_done=self._tested,
                                             on_error=lambda e: self._tested((False, f"The test itself failed: "
                                                                                    f"{type(e).__name__}"))))

    def _tested(self, answer: tuple[bool, str]) -> None:
        ok, message = answer
        self._test = None
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + message)
        self.test_result.setStyleSheet(f"color: {'#15803d' if ok else '#b91c1c'};")

    def done(self, result: int) -> None:
        if self._test is not None:  # closed while testing: the answer has nowhere to go
            self._test.cancel()
        super().done(result)

    def _accept_if_valid(self) -> None:
        problem = url_problem(self.base_url.text())
        if problem and self.llm_button.isChecked():
            self.test_result.setText("✗ " + problem[0].upper() + problem[1:] + ".")
            return
        self.accept()

    def result_settings(self) -> Settings:
        c = self.config()
        return replace(self._original, engine=(EngineName.LLM if self.llm_button.isChecked() else EngineName.OFFLINE).value,
                       llm_base_url=self._original.llm_base_url if url_problem(c.base_url) else c.base_url,
                       llm_model=c.model,
                       llm_temperature=round(c.temperature, 2), llm_timeout=c.timeout, llm_max_tokens=c.max_tokens,
                       llm_redact_remote=c.redact_remote)

    def save_key(self) -> str:
        """Store a newly typed key. Returns a note for the agent when it could not be stored for good."""
        key = self.key.text().strip()
        if not key:
            return ""
        message = secrets.set_api_key(self.base_url.text().strip(), key)
        self.key.clear()
        return message if secrets.keyring_problem() else ""
