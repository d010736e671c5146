"""Settings: who the agent is, how suggestions appear, how many chats at once, privacy, the team store."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from copilot.core.modes import AssistMode
from copilot.settings import Settings
from copilot.ui.diagnosis_panel import plain_label
from copilot.ui.team_sync import TeamStoreBox

MODE_TEXT = {
    AssistMode.AUTOMATIC: "Automatic: diagnosis and draft appear as soon as they are ready",
    AssistMode.DIAGNOSE_FIRST: "Diagnose first: pick the issue yourself, then the draft appears",
    AssistMode.ON_REQUEST: "On request: suggestions stay hidden until you press Ctrl+G",
}


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._original = settings
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.agent = QLineEdit(settings.agent_name)
        self.agent.setMaxLength(80)
        self.agent.setPlaceholderText("Your name, as it appears in the usage log")
        form.addRow("Agent name", self.agent)

        modes = QWidget()
        modes_layout = QVBoxLayout(modes)
        modes_layout.setContentsMargins(0, 0, 0, 0)
        self.mode_buttons: dict[AssistMode, QRadioButton] = {}
        for mode, text in MODE_TEXT.items():
            button = QRadioButton(text)
            button.setChecked(mode == settings.assist_mode)
            modes_layout.addWidget(button)
            self.mode_buttons[mode] = button
        form.addRow("Suggestions", modes)

        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 50)
        self.concurrency.setValue(settings.max_concurrent_chats)
        self.concurrency.setSuffix(" chats at once")
        form.addRow("Chat limit", self.concurrency)

        self.nudges = QCheckBox("Show a short note when my usage looks like over-reliance or overload")
        self.nudges.setChecked(settings.nudges)
        form.addRow("Nudges", self.nudges)
        self.store_text = QCheckBox("Keep message text in the usage log (personal data redacted; team opt-in)")
        self.store_text.setChecked(settings.store_message_text)
        form.addRow("Privacy", self.store_text)

        self.blind_first = QSpinBox()
        self.blind_first.setRange(0, 100)
        self.blind_first.setSpecialValueText("Off")
        self.blind_first.setPrefix("1 chat in ")
        self.blind_first.setValue(settings.blind_first_every)
        self.blind_first.setToolTip("Team setting: in one chat out of N you name the issue before the suggestion "
                                    "appears. It measures your own judgement, for coaching (docs/skill.md).")
        form.addRow("Blind-first", self.blind_first)
        self.practice_chats = QSpinBox()
        self.practice_chats.setRange(1, 20)
        self.practice_chats.setSuffix(" chats per practice")
        self.practice_chats.setValue(settings.practice_chats)
        form.addRow("Practice", self.practice_chats)

        model_row = QHBoxLayout()
        self.model_dir = QLineEdit(settings.model_dir)
        self.model_dir.setPlaceholderText("Built-in model")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_model)
        model_row.addWidget(self.model_dir, 1)
        model_row.addWidget(browse)
        form.addRow("Offline model", model_row)
        self.team_store = TeamStoreBox(settings)
        form.addRow("Team store", self.team_store)
        layout.addLayout(form)
        layout.addWidget(plain_label("The model, the privacy choice and blind-first sampling take effect the next "
                                     "time the app starts.", "muted"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        problem = self.team_store.problem(self._original)
        if problem:
            QMessageBox.warning(self, "Settings", problem)
            return
        super().accept()

    def _choose_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder made by `copilot train`", self.model_dir.text())
        if folder:
            self.model_dir.setText(folder)

    def result_settings(self) -> Settings:
        mode = next((m for m, b in self.mode_buttons.items() if b.isChecked()), AssistMode.AUTOMATIC)
        return self.team_store.apply(replace(
            self._original, agent_name=self.agent.text().strip(), assist_mode=mode.value,
            max_concurrent_chats=self.concurrency.value(), nudges=self.nudges.isChecked(),
            store_message_text=self.store_text.isChecked(), model_dir=self.model_dir.text().strip(),
            # 1 is not a sample: "1 chat in 1" would hide every suggestion, so it means 2
            blind_first_every=max(2, self.blind_first.value()) if self.blind_first.value() else 0,
            practice_chats=self.practice_chats.value(),
        ))
