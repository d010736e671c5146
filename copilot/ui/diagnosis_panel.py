"""The issue diagnosis for the chat in focus: category, confidence, evidence, playbook steps.

Every label is plain text: evidence words come from customer messages.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

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
    category_chosen = Signal(str)  # diagnose-first: the agent's pick; "" for "none of these"
    reveal_requested = Signal()  # suggestions on request: "show me"

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
        # Diagnose-first: the agent picks the issue before seeing any draft (Alt+1..3, Alt+0 for none).
        self.choices = QWidget()
        choices_layout = QVBoxLayout(self.choices)
        choices_layout.setContentsMargins(0, 4, 0, 0)
        self.choice_buttons: list[QPushButton] = []
        for number in (1, 2, 3):
            button = QPushButton()
            button.setShortcut(f"Alt+{number}")
            button.clicked.connect(lambda _=False, b=button: self.category_chosen.emit(b.property("category")))
            choices_layout.addWidget(button)
            self.choice_buttons.append(button)
        self.none_button = QPushButton("None of these  (Alt+0)")
        self.none_button.setShortcut("Alt+0")
        self.none_button.clicked.connect(lambda: self.category_chosen.emit(""))
        choices_layout.addWidget(self.none_button)
        self.reveal_button = QPushButton("Show suggestion  (Ctrl+G)")
        self.reveal_button.setObjectName("primary")
        self.reveal_button.clicked.connect(self.reveal_requested)
        for widget in (self.category, self.confidence_bar, self.confidence_text, self.alternatives, self.notice,
                       self.evidence, self.missing, self.steps, self.choices, self.reveal_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_empty("Select a chat to see its diagnosis.")

    def _reset(self) -> None:
        for widget in (self.confidence_bar, self.confidence_text, self.alternatives, self.notice, self.evidence,
                       self.missing, self.steps, self.choices, self.reveal_button):
            widget.hide()

    def show_hidden(self) -> None:
        """Suggestions on request: one is ready, the agent decides whether to look."""
        self.show_empty("A suggestion is ready. Decide what you think first, then look if you want.")
        self.reveal_button.show()

    def show_choices(self, diagnosis: Diagnosis) -> None:
        """Diagnose-first: which issue is it? The engine's options, best first, without confidences."""
        self._reset()
        self.category.setObjectName("diagnosisLabel")
        self._restyle(self.category)
        self.category.setText("Which issue is it?")
        options = [] if diagnosis.abstained else list(diagnosis.top[:3])
        for number, button in enumerate(self.choice_buttons, 1):
            if number <= len(options):
                button.setText(f"{options[number - 1].label}  (Alt+{number})")
                button.setProperty("category", options[number - 1].category)
                button.show()
            else:
                button.hide()
        if not options:
            self.notice.setText("The assistant has no confident diagnosis for this message.")
            self.notice.show()
        self.choices.show()

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
