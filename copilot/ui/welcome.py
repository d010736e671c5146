"""First-run welcome: asks the agent's name and shows where the app keeps their data.

Shown by run_app while Settings.agent_name is empty, before the workspace opens, so the usage
log's first session already carries the name. Closing it is allowed: the app starts under the
login name and asks again next time.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from copilot import APP_NAME, paths
from copilot import settings as user_settings
from copilot.settings import Settings

INTRO = (
    f"{APP_NAME} suggests a diagnosis and a draft reply for the chat in focus. You stay in charge: "
    "accept a draft, edit it or reject it. What was suggested and what you did with it is kept in a "
    "usage log on this computer, so you and your team lead can see how the suggestions are used. "
    "The customers' messages are not stored unless your team turns that on."
)


def _path_label(path: Path) -> QLabel:
    # Plain, selectable text: a path may contain anything, and agents copy it into tickets.
    label = QLabel(str(path))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setObjectName("welcomePath")
    return label


class WelcomeDialog(QDialog):
    def __init__(self, suggested_name: str, data_dir: Path, settings_file: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setWindowIcon(QIcon(str(paths.resource("icons", "agent-copilot.png"))))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)

        heading = QLabel(f"Welcome to {APP_NAME}")
        heading.setObjectName("welcomeHeading")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(heading)
        layout.addWidget(intro)

        form = QFormLayout()
        self.name_edit = QLineEdit(suggested_name)
        self.name_edit.setMaxLength(80)
        self.name_edit.setPlaceholderText("Your name, as your team lead knows you")
        self.name_edit.selectAll()
        form.addRow("Your name", self.name_edit)
        self.data_label = _path_label(data_dir)
        form.addRow("Your data", self.data_label)
        self.settings_label = _path_label(settings_file)
        form.addRow("Your settings", self.settings_label)
        layout.addLayout(form)
        later = QLabel("You can change these later under Copilot › Settings.")
        later.setObjectName("muted")
        layout.addWidget(later)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Start")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Later")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._name_changed)
        self._name_changed(self.name_edit.text())

    def _name_changed(self, text: str) -> None:
        self.start_button.setEnabled(bool(text.strip()))

    def agent_name(self) -> str:
        return " ".join(self.name_edit.text().split())  # no stray or doubled spaces in the log


def ask_first_run(settings: Settings, suggested_name: str, parent: QWidget | None = None) -> Settings | None:
    """The settings with the agent's name, or None if the agent chose "Later" (nothing to save)."""
    dialog = WelcomeDialog(suggested_name, paths.data_dir(), user_settings.settings_path(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.agent_name():
        return None
    return replace(settings, agent_name=dialog.agent_name())
