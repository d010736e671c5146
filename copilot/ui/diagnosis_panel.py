"""The issue diagnosis for the chat in focus: category, confidence, evidence, playbook steps.

Every label is plain text: evidence words come from customer messages.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QLabel, QListWidget, QListWidgetItem, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from copilot.core.suggestion import Diagnosis


def percent(confidence: float) -> str:
    """A confidence for people: never "100%" (no diagnosis is certain), never below "<1%"."""
    value = round(confidence * 100)
    if value >= 100:
        return "99%"
    return "<1%" if value < 1 else f"{value}%"


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
    blind_picked = Signal(str)  # blind-first: the agent's own diagnosis from the whole list; "" to skip

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
        # Blind-first: the whole list of issues (the engine's top three would give the answer away).
        self.blind = QWidget()
        blind_layout = QVBoxLayout(self.blind)
        blind_layout.setContentsMargins(0, 4, 0, 0)
        self.blind_list = QListWidget()
        self.blind_list.setObjectName("blindIssues")
        self.blind_list.itemActivated.connect(lambda item: self.blind_picked.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.blind_skip = QPushButton("Skip: show me the suggestion")
        self.blind_skip.clicked.connect(lambda: self.blind_picked.emit(""))
        blind_layout.addWidget(self.blind_list, 1)
        blind_layout.addWidget(self.blind_skip)
        self.reveal_button = QPushButton("Show suggestion  (Ctrl+G)")
        self.reveal_button.setObjectName("primary")
        self.reveal_button.clicked.connect(self.reveal_requested)
        for widget in (self.category, self.confidence_bar, self.confidence_text, self.alternatives, self.notice,
                       self.evidence, self.missing, self.steps, self.choices, self.blind, self.reveal_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_empty("Select a chat to see its diagnosis.")

    def _reset(self) -> None:
        for widget in (self.confidence_bar, self.confidence_text, self.alternatives, self.notice, self.evidence,
                       self.missing, self.steps, self.choices, self.blind, self.reveal_button):
            widget.hide()

    def show_hidden(self) -> None:
        """Suggestions on request: one is ready, the agent decides whether to look."""
        self.show_empty("A suggestion is ready. Decide what you think first, then look if you want.")
        self.reveal_button.show()

    def show_blind_pick(self, issues) -> None:
        """Blind-first: this chat is one of the sampled ones; the agent names the issue from the whole
        list (Alt+I, arrows, Enter) before the suggestion appears. `issues`: (id, label) pairs."""
        self._reset()
        self.category.setObjectName("diagnosisLabel")
        self._restyle(self.category)
        self.category.setText("What is the issue? (Alt+I)")
        self.notice.setText("A blind-first chat: name the issue yourself first, then the suggestion appears. "
                            "It measures your own judgement, for coaching; nothing else changes.")
        self.notice.show()
        if self.blind_list.count() != len(issues):
            self.blind_list.clear()
            for issue, label in issues:
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, issue)
                self.blind_list.addItem(item)
        self.blind.show()

    def show_choices(self, diagnosis: Diagnosis, picked: str = "") -> None:
        """Diagnose-first: which issue is it? The engine's options, best first, without confidences
        (also the nearest ones when it found no matching category). `picked`: the agent's choice,
        whose draft is being written."""
        self._reset()
        self.category.setObjectName("diagnosisLabel")
        self._restyle(self.category)
        self.category.setText("Which issue is it?")
        self._offer(diagnosis.top, picked)
        self.none_button.setVisible(not picked)
        if diagnosis.abstained:
            self.notice.setText("No matching category: the assistant is not sure this is one of ours. "
                                "The options below are only the nearest ones.")
            self.notice.show()
        self.choices.show()

    def _offer(self, options, picked: str = "") -> None:
        """Buttons Alt+1..3 for up to three categories; after a pick, only the picked one, marked."""
        options = [o for o in options[:3] if not picked or o.category == picked]
        for number, button in enumerate(self.choice_buttons, 1):
            if number <= len(options):
                option = options[number - 1]
                mark = "✓ " if picked else ""
                button.setText(f"{mark}{option.label}  (Alt+{number})" if not picked else f"{mark}{option.label}")
                button.setProperty("category", option.category)
                button.setEnabled(not picked)
                button.show()
            else:
                button.hide()

    def show_empty(self, text: str) -> None:
        self._reset()
        self.category.setText(text)
        self.category.setObjectName("muted")
        self._restyle(self.category)

    def show_pending(self) -> None:
        self.show_empty("Reading the conversation…")

    def show_diagnosis(self, diagnosis: Diagnosis, can_pick: bool = False) -> None:
        """The engine's diagnosis. When it found no matching category, the nearest ones are offered
        as hints the agent may pick (`can_pick`): a draft for the pick follows."""
        self._reset()
        self.category.setObjectName("diagnosisLabel")
        self._restyle(self.category)
        best = diagnosis.best
        if diagnosis.abstained or best is None:
            self.category.setText("No matching category")
            self.notice.setText(diagnosis.reason or (  # e.g. a language the offline engine was not trained on
                "This message does not clearly match one of our categories. Read it and decide "
                "yourself" + (": if it is one of these, pick it for a draft." if best and can_pick else ".")))
            self.notice.show()
            if best is not None:
                nearest = " · ".join(f"{c.label} {percent(c.confidence)}" for c in diagnosis.top[:3])
                self.alternatives.setText("Nearest: " + nearest)
                self.alternatives.show()
                if can_pick:
                    self._offer(diagnosis.top)
                    self.none_button.hide()
                    self.choices.show()
            self._show_evidence(diagnosis)
            return
        self.category.setText(best.label)
        if diagnosis.chosen_by_agent:
            self.confidence_text.setText("Your diagnosis")
        else:
            self.confidence_bar.setValue(round(min(best.confidence, 0.99) * 100))
            self.confidence_bar.show()
            self.confidence_text.setText(f"Confidence {percent(best.confidence)}")
        self.confidence_text.show()
        others = [f"{c.label} {percent(c.confidence)}" for c in diagnosis.top[1:3] if c.confidence >= 0.01]
        if others:
            self.alternatives.setText("Also possible: " + " · ".join(others))
            self.alternatives.show()
        if diagnosis.needs_human:
            self.notice.setText("The playbook says a person must handle this one: check before replying.")
            self.notice.show()
        self._show_evidence(diagnosis)
        if diagnosis.missing:
            self.missing.setText("Still needed: " + ", ".join(diagnosis.missing))
            self.missing.show()
        if diagnosis.steps:
            self.steps.setText("Playbook\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(diagnosis.steps, 1)))
            self.steps.show()

    def _show_evidence(self, diagnosis: Diagnosis) -> None:
        if diagnosis.evidence:
            self.evidence.setText("Evidence: " + ", ".join(f"“{word}”" for word in diagnosis.evidence[:6]))
            self.evidence.show()

    @staticmethod
    def _restyle(widget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
