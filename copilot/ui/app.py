"""Starting the window: the QApplication, the session, the assist pool and the main window."""
from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, QThreadPool, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from copilot import APP_NAME, __version__, paths
from copilot import settings as user_settings
from copilot.core.workspace import AssistMode
from copilot.session import Session, SessionOptions
from copilot.settings import Settings
from copilot.ui import theme
from copilot.ui.streaming import LLMHook, StreamingAssistPool
from copilot.ui.flag_monitor import FlagMonitor
from copilot.ui.main_window import MainWindow
from copilot.ui.review.hook import attach_review
from copilot.ui.settings_dialog import SettingsDialog
from copilot.ui.welcome import ask_first_run

# Set by bench/cold_start.py: print the wall-clock time of the main window's first paint, then quit.
EXIT_AFTER_SHOWN = "COPILOT_EXIT_AFTER_SHOWN"


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("agent-copilot")
    app.setWindowIcon(QIcon(str(paths.resource("icons", "agent-copilot.png"))))  # PNG: no SVG plugin needed
    theme.apply(app)
    return app


class Workbench:
    """A session with its window: what the app, the self-test and the screenshot command run."""

    def __init__(self, options: SessionOptions, settings: Settings | None = None):
        self.session = Session.build(options)
        self.settings = settings or Settings()
        self.pool = StreamingAssistPool(self.session.engine, self.session.clock)
        self.session.workspace.request_suggestion = self.pool.request
        self.session.workspace.request_redraft = self.pool.redraft
        self.window = MainWindow(self.session.workspace, self.pool, subtitle=options.agent)
        self.llm = LLMHook(self)  # LLM engine per settings, streamed drafts, Model endpoint dialog (issue 6)
        self.window.settings_action.triggered.connect(self.edit_settings)
        # The agent's own flags, computed from the usage log off the UI thread, become nudges.
        self.flags = FlagMonitor(self.session.workspace, self.session.usage_log, options.agent, parent=self.window)
        self.flags.flag_raised.connect(self.nudge)
        attach_review(self.window, self.session.usage_log.path)  # Copilot ▸ Usage review… (issue 5)
        note = getattr(self.session.engine, "note", "")
        if note:  # the engine fell back to something weaker: say so, without interrupting
            self.window.notify(note)
        speed = f" ×{options.speed:g}" if options.speed != 1 else ""
        self.window.status_area.set_source_text(f"Simulator{speed} · {self.session.engine.name} engine")

    def start(self) -> None:
        self.window.start()
        self.flags.start()

    def nudge(self, flag) -> None:
        """A gentle, dismissable note with one helpful step; never blocks the agent."""
        if not self.settings.nudges:
            return
        ws = self.session.workspace
        ws.recorder.record("nudge_shown", ws.clock.now(), kind=flag.kind)
        if flag.kind == "over_reliance":
            action = ("Try diagnose-first", lambda: self.apply_settings(replace(self.settings, assist_mode="diagnose_first")))
        else:
            fewer = max(1, min(self.settings.max_concurrent_chats, len(ws.open_chats)) - 1)
            action = (f"Take at most {fewer} chats", lambda: self.apply_settings(replace(self.settings, max_concurrent_chats=fewer)))
        self.window.notify(flag.explanation, "nudge", action)

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window)
        dialog.setModal(True)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.apply_settings(dialog.result_settings())

    def apply_settings(self, settings: Settings) -> None:
        """What can change mid-shift changes now; the file is written off the UI thread."""
        self.llm.apply(self.settings, settings)
        self.settings = settings
        self.session.workspace.mode = AssistMode(settings.assist_mode)
        self.session.simulator.capacity = settings.max_concurrent_chats
        self.window.status_area.refresh()
        QThreadPool.globalInstance().start(lambda: user_settings.save(settings))

    def close(self) -> None:
        self.flags.stop()
        self.window.stop()
        self.llm.close()
        self.pool.clear_pending()
        self.pool.wait_idle(5000)
        self.session.close()


def run_app(options: SessionOptions, settings: Settings | None = None, settings_problem: str = "") -> int:
    app = application()
    welcomed = None
    if not (settings or Settings()).agent_name:  # first run: who is working, and where data is kept
        welcomed = ask_first_run(settings or Settings(), options.agent)
        if welcomed:
            settings, options.agent = welcomed, welcomed.agent_name
    try:
        bench = Workbench(options, settings)
    except Exception as exc:  # a clear message instead of a traceback for the user
        QMessageBox.critical(None, APP_NAME, f"{APP_NAME} could not start:\n\n{exc}")
        return 1
    bench.window.show()
    bench.start()
    if bench.session.problems:
        count = len(bench.session.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          f"{count} scenario file(s) could not be read and were skipped; the others loaded.",
                          parent=bench.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText("\n".join(bench.session.problems))  # detailed text is always plain
        box.setModal(False)
        QTimer.singleShot(0, box.show)
    if settings_problem:
        bench.window.notify(settings_problem)
    if welcomed:
        bench.apply_settings(welcomed)  # saves the name off the UI thread
    if os.environ.get(EXIT_AFTER_SHOWN):
        bench.window.installEventFilter(_FirstPaintProbe(bench.window))
    app.aboutToQuit.connect(bench.close)
    _quit_when_asked_to(app)
    return app.exec()


def _quit_when_asked_to(app: QApplication) -> None:
    """SIGTERM (a logout, `kill`, a service manager) and Ctrl+C in a terminal quit as a user does:
    the session is ended and the usage log closed, instead of the process just vanishing."""
    for name in ("SIGTERM", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: app.quit())
    # Python runs signal handlers between bytecodes; Qt's loop runs none while idle, so a slow timer
    # gives the interpreter a turn.
    timer = QTimer(app, interval=250)
    timer.timeout.connect(lambda: None)
    timer.start()


class _FirstPaintProbe(QObject):
    """Once the window has painted, prints `shown <epoch seconds>` and quits (cold-start bench)."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._report)  # after this paint has reached the screen
        return False

    def _report(self) -> None:
        print(f"shown {time.time():.6f}", flush=True)
        QApplication.closeAllWindows()  # quits as a user does (last window closed), leaving no stray quit
