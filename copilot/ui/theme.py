"""Colours shared by painted widgets; the rest of the look is in resources/styles/app.qss."""
from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from copilot.paths import resource

TEXT = QColor("#1f2933")
MUTED = QColor("#7b8794")
BORDER = QColor("#e4e7eb")
SURFACE = QColor("#ffffff")
ENDED = QColor("#f5f7fa")
SELECTED = QColor("#e3efff")
ACCENT = QColor("#2f6fde")
ACCENT_TEXT = QColor("#245bb8")
WARNING = QColor("#d9822b")
DANGER = QColor("#d64545")
SUCCESS = QColor("#2f9e69")
TECHNICAL = QColor("#7b61c4")  # technical escalations: needs a human, but not a distressed customer
CUSTOMER_BUBBLE = QColor("#f1f3f5")
AGENT_BUBBLE = QColor("#e3efff")


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same look on every platform, and under the offscreen platform
    path = resource("styles", "app.qss")
    if path.exists():
        app.setStyleSheet(path.read_text(encoding="utf-8"))
