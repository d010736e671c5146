"""Copilot ▸ Practice…: the live-work window, on a practice session, with every suggestion hidden.

The practice window is the main window itself (same chat list, chat view, composer, keyboard) over
a Workspace whose source is a copilot.practice PracticeSession and which has no suggestion
coordinator, so no diagnosis or draft ever appears. In place of the suggestion panels, a practice
panel: the issue picker (Alt+I, then Enter), how far the session is, and each chat's score with its
breakdown and tip as it ends; the session's result at the end. Practice records go to the agent's
usage log; the practice chats themselves are not recorded as live usage.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QListWidget, QListWidgetItem, QPlainTextEdit, QVBoxLayout

from copilot.core.clock import AcceleratedClock, Clock
from copilot.core.jobs import Job
from copilot.core.recorder import NullRecorder, RecordKind
from copilot.core.workspace import Workspace
from copilot.practice.session import PracticeSession
from copilot.practice.summary import chat_summary, session_summary
from copilot.ui.diagnosis_panel import plain_label
from copilot.ui.main_window import MainWindow

INTRO = "Practice: suggestions are off. Name the issue (Alt+I, then Enter), ask for what you need, resolve it."


class PracticePanel(QFrame):
    issue_named = Signal(str)

    def __init__(self, issues: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setObjectName("practicePanel")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(INTRO, "panelTitle"))
        self.progress = plain_label("", "practiceProgress")
        layout.addWidget(self.progress)
        self.named = plain_label("", "practiceNamed")
        layout.addWidget(self.named)
        self.issues = QListWidget()
        self.issues.setObjectName("practiceIssues")
        for issue, label in issues:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, issue)
            self.issues.addItem(item)
        self.issues.itemActivated.connect(lambda item: self.issue_named.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.issues, 1)
        self.scores = QPlainTextEdit()  # plain text: scenario and agent words are never read as HTML
        self.scores.setObjectName("practiceScores")
        self.scores.setReadOnly(True)
        layout.addWidget(self.scores, 1)


class PracticeWindow(MainWindow):
    def __init__(self, workspace: Workspace, practice: PracticeSession, parent=None):
        self.practice = practice
        self._shown: set[str] = set()
        super().__init__(workspace, subtitle="Practice (suggestions off)", parent=parent)
        self.panel = PracticePanel(practice.issues)
        right = self.diagnosis_panel.parentWidget().layout()
        for panel in (self.diagnosis_panel, self.draft_panel):
            panel.hide()
        right.addWidget(self.panel, 1)
        self.panel.issue_named.connect(self.name_issue)
        self.refresh()

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Practice")
        pick = menu.addAction("Name the &issue\tAlt+I")  # the key itself is the main window's (focus_blind_list)
        pick.triggered.connect(self.focus_blind_list)
        self.end_action = menu.addAction("&End practice")
        self.end_action.triggered.connect(self.end_practice)
        menu.addSeparator()
        close = menu.addAction("&Close")
        close.setShortcut(QKeySequence("Ctrl+Q"))
        close.triggered.connect(self.close)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)

    def focus_blind_list(self) -> None:
        """Alt+I: in practice, the issue picker of the practice panel."""
        self.panel.issues.setFocus()
        if self.panel.issues.currentRow() < 0:
            self.panel.issues.setCurrentRow(0)

    def name_issue(self, issue: str) -> None:
        chat_id = self.workspace.focused_id
        if chat_id is None or not self.practice.name_issue(chat_id, issue, self.workspace.clock.now()):
            self.notify("Open a chat first: the issue is named for the chat in focus.")
            return
        self.refresh()
        self.composer.setFocus()

    def end_practice(self) -> None:
        self.practice.end(self.workspace.clock.now())
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        if not hasattr(self, "panel"):
            return  # the first refresh runs while the main window builds itself
        p = self.practice
        self.panel.progress.setText(f"Chat {min(len(p.chats), len(p.planned))} of {len(p.planned)}; "
                                    f"{len(p.scores)} scored")
        chat = p.chats.get(self.workspace.focused_id or "")
        named = chat.last_named if chat else ""
        label = dict(p.issues).get(named, "")
        self.panel.named.setText(f"You named: {label}" if label else "No issue named for this chat yet.")
        fresh = [s for s in p.scores.values() if s.chat_id not in self._shown]
        for score in fresh:
            self._shown.add(score.chat_id)
            self.panel.scores.appendPlainText(chat_summary(score) + "\n")
        if p.result is not None and "result" not in self._shown:
            self._shown.add("result")
            self.panel.scores.appendPlainText(session_summary(p.result))
            self.end_action.setEnabled(False)
            self.notify(f"Practice done: {p.result.score:.0f}/100. {p.result.tip}", "nudge")


def practice_window(practice: PracticeSession, clock: Clock, parent=None) -> PracticeWindow:
    """The window over a practice session: a workspace with no suggestions and no live usage records."""
    workspace = Workspace(source=practice, clock=clock, recorder=NullRecorder())
    return PracticeWindow(workspace, practice, parent)


def open_practice(workbench) -> None:
    """What Copilot ▸ Practice… runs: the scenarios and the agent's past practice are read off the UI
    thread, then the practice window opens over the live window."""
    from copilot import paths
    from copilot.practice.records import read_skill_files
    from copilot.sources.scenario import load_scenarios

    session = workbench.session
    log_path = session.usage_log.path
    options, settings = session.options, workbench.settings

    def prepare(_control):
        scenarios, _ = load_scenarios(options.scenarios_dir or paths.resource("scenarios"))
        records = read_skill_files([log_path], agent=options.agent) if log_path and log_path.exists() else {}
        mine = records.get(options.agent)
        return scenarios, mine.last_practised() if mine else {}

    def show(prepared) -> None:
        scenarios, last = prepared
        clock = AcceleratedClock(options.speed)
        practice = PracticeSession.for_agent(options.agent, scenarios, clock.now(), recorder=session.usage_log,
                                             last_practised=last, chats=settings.practice_chats)
        window = practice_window(practice, clock)
        workbench.practice_window = window
        window.show()
        window.start()

    workbench.background.run(Job(prepare, "Preparing a practice", on_done=show))


def check_practice_nudge(workbench) -> None:
    """At start: if the agent's log says practice is due (reliance flagged, or skill falling), a
    gentle note with "Practise now". Read off the UI thread; a log that cannot be read says nothing."""
    from copilot.practice.monitor import nudge_from_log

    session = workbench.session
    path, agent = session.usage_log.path, session.options.agent
    if not workbench.settings.nudges or path is None or not path.exists():
        return

    def show(nudge) -> None:
        if nudge is not None:
            ws = workbench.workspace
            ws.recorder.record(RecordKind.NUDGE_SHOWN, ws.clock.now(), kind=f"practice_{nudge.reason}")
            workbench.window.notify(nudge.text, "nudge", ("Practise now", workbench.open_practice))

    workbench.background.run(Job(lambda _control: nudge_from_log(path, agent, session.clock.now()),
                                 "Checking whether practice is due", on_done=show, on_error=lambda _error: None))
