"""The issue diagnosis for the chat in focus: category, confidence, evidence, playbook steps.

Every label is plain text: evidence words come from customer messages.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout

from copilot.core.suggestion import Diagnosis


def plain_label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


class DiagnosisPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sidePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(6)
        layout.addWidget(plain_label("ISSUE DIAGNOSIS", "panelTitle"))
        self.category = plain_label("", "diagnosisLabel")
        self.confidence_bar = QProgressBar()
        self.confidence_bar.setRange(0, 100)
        self.confidence_bar.setTextVisible(False)
        self.confidence_bar.setFixedHeight(6)
        self.confidence_text = plain_label("", "muted")
        self.alternatives = plain_label("", "muted")
        self.notice = plain_label("", "notice")
        self.evidence = plain_label("")
        self.missing = plain_label("")
        self.steps = plain_label("")
        for widget in (self.category, self.confidence_bar, self.confidence_text, self.alternatives, self.notice,
                       self.evidence, self.missing, self.steps):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_empty("Select a chat to see its diagnosis.")

    def _reset(self) -> None:
        for widget in (self.confidence_bar, self.confidence_text, self.alternatives, self.notice, self.evidence,
                       self.missing, self.steps):
            widget.hide()

    def show_empty(self, text: str) -> None:
        self._reset()
        self.category.setText(text)
        self.category.setObjectName("muted")
        self._restyle(self.category)

    def show_pending(self) -> None:
        self.show_empty("Reading the conversation…")

    def show_diagnosis(self, diagnosis: Diagnosis) -> None:
        self._reset()
        self.category.setObjectName("diagnosisLabel")
        self._restyle(self.category)
        best = diagnosis.best
        if diagnosis.abstained or best is None:
            self.category.setText("No confident diagnosis")
            hint = f" Closest guess: {best.label} ({best.confidence:.0%})." if best else ""
            self.notice.setText("This message does not clearly match a known issue. Read it and decide yourself." + hint)
            self.notice.show()
            return
        self.category.setText(best.label)
        self.confidence_bar.setValue(round(best.confidence * 100))
        self.confidence_bar.show()
        self.confidence_text.setText(f"Confidence {best.confidence:.0%}")
        self.confidence_text.show()
        others = [f"{c.label} {c.confidence:.0%}" for c in diagnosis.top[1:3] if c.confidence >= 0.01]
        if others:
            self.alternatives.setText("Also possible: " + " · ".join(others))
            self.alternatives.show()
        if diagnosis.needs_human:
            self.notice.setText("The playbook says a person must handle this one: check before replying.")
            self.notice.show()
        if diagnosis.evidence:
            self.evidence.setText("Evidence: " + ", ".join(f"“{word}”" for word in diagnosis.evidence[:6]))
            self.evidence.show()
        if diagnosis.missing:
            self.missing.setText("Still needed: " + ", ".join(diagnosis.missing))
            self.missing.show()
        if diagnosis.steps:
            self.steps.setText("Playbook\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(diagnosis.steps, 1)))
            self.steps.show()

    @staticmethod
    def _restyle(widget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
