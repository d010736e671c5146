"""Starting the app: the QApplication, the first-run welcome, the Workbench and its window."""
from __future__ import annotations

import os
import signal
import sys
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from copilot import APP_NAME, __version__, paths
from copilot.session import SessionOptions
from copilot.settings import Settings
from copilot.ui import theme
from copilot.ui.welcome import ask_first_run
from copilot.ui.workbench import Workbench

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
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, f"{APP_NAME} could not start:\n\n{exc}")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the reason may quote a file name or a server's answer
        box.exec()
        return 1
    bench.window.show()
    bench.start()
    if len(bench.session.problems) > 1:
        count = len(bench.session.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          f"{count} problems were found while starting; the app works around them.",
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
