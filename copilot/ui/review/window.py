"""The team lead's review window: the per-agent table, team charts, tiers, and one agent's drill-down.

    copilot review [--logs PATH ...]        or Copilot ▸ Usage review… in the app

Logs load on a worker thread with progress and a Cancel button; the files are only read. Files
that cannot be used are listed in a notice (with the reason for each) and the rest still load.
"""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QLineEdit, QMainWindow, QMessageBox, QSplitter, QTabWidget, QToolBar,
                               QVBoxLayout, QWidget)

from copilot import APP_NAME
from copilot.core.display_text import display_name, displayable
from copilot.review.columns import COLUMNS
from copilot.review.team import period_text
from copilot.ui.background import Background
from copilot.ui.notice_bar import NoticeBar
from copilot.ui.review.agent_view import AgentView
from copilot.ui.review.exporting import export_job
from copilot.ui.review.loader import LANE, LoadingRow, detail_job, files_job, store_job
from copilot.ui.review.table_model import AGENT_ROLE, AgentFilterProxy, AgentTableModel, FilterBar, agent_table
from copilot.ui.review.team_tab import TeamTab
from copilot.ui.review.tiers_view import TiersView

class ReviewWindow(QMainWindow):
    review_shown = Signal()  # a load's results are on screen (tests and the bench wait on it)
    load_progress = Signal(int, int, str)  # files read, files in all, the last file
    detail_shown = Signal(str)
    exported = Signal(str, str)

    def __init__(self, thresholds=None, since=None, until=None, parent=None, background: Background | None = None):
        """`background`: the app's helper (the workbench's), or one of the window's own."""
        super().__init__(parent)
        self.thresholds, self.since, self.until = thresholds, since, until
        self.paths: list[str] = []
        self.store = None  # the team store's StoreConfig while the review comes from it
        self.data = None
        self.background = background if background is not None else Background(self)
        self.background.set_lane_size(LANE, 1)
        self._load_id = 0  # answers of replaced loads are dropped
        self._loading = False
        self._stop = threading.Event()  # cancels the running load (it still answers, with what it read)
        self._detail_wanted = ""  # only the latest drill-down request's answer is shown
        self.warning: QMessageBox | None = None
        self.setWindowTitle(f"Usage review — {APP_NAME}")
        self.setObjectName("reviewWindow")  # its look: the "Usage review window" rules in app.qss
        self.resize(1440, 900)
        self._build()

    # ---- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        bar = QToolBar("Review")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.open_files_action = self._action(bar, "Open logs…", "Ctrl+O", self.choose_files)
        self.open_folder_action = self._action(bar, "Open folder…", "Ctrl+Shift+O", self.choose_folder)
        self.open_store_action = self._action(bar, "Open team store…", "Ctrl+Shift+T", self.choose_store)
        bar.addSeparator()
        self.export_html_action = self._action(bar, "Export HTML…", "Ctrl+E", lambda: self.export("html"))
        self.export_csv_action = self._action(bar, "Export CSV…", "", lambda: self.export("csv"))
        bar.addSeparator()
        self.model = AgentTableModel(self)
        self.proxy = AgentFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filters = FilterBar(self.proxy)
        self.filter_edit, self.tier_box, self.flagged_box = self.filters.text, self.filters.tier, self.filters.flagged
        bar.addWidget(self.filters)

        self.notice = NoticeBar()
        self.loading_row = LoadingRow()
        self.loading_row.cancel_button.clicked.connect(self.cancel_load)

        self.table = agent_table(self.proxy)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sorted)

        self.team_tab, self.tiers_view, self.agent_view = TeamTab(), TiersView(), AgentView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.team_tab, "Team")
        self.tabs.addTab(self.agent_view, "Agent")
        self.tabs.addTab(self.tiers_view, "Tiers && escalations")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setSizes([270, 630])
        central = QWidget()
        layout = QVBoxLayout(central)  # notice and progress above the content
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notice)
        layout.addWidget(self.loading_row)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)
        self.status = QLabel("Open usage logs (files or a folder) to review a team. Files are only read.")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.status, 1)
        self._set_busy(False)

    def _action(self, bar: QToolBar, text: str, keys: str, slot) -> QAction:
        action = bar.addAction(text)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    # ---- loading ----------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open usage logs", "", "Usage logs (*.sqlite *.sqlite3 *.db);;All files (*)")
        if files:
            self.load([*self.paths, *files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of usage logs")
        if folder:
            self.load([*self.paths, folder])

    def choose_store(self) -> None:
        """Ask for the store's URL (Settings' team store by default), then load from it."""
        from copilot.settings import load as load_settings
        from copilot.teamstore.config import StoreConfig
        from copilot.teamstore.errors import TeamStoreError

        settings, _ = load_settings()
        url, ok = QInputDialog.getText(self, "Open team store", "Team store (postgresql://USER@HOST/DATABASE):",
                                       text=settings.team_store_url)
        if not ok or not url.strip():
            return
        try:
            config = StoreConfig.parse(url, settings.team_store_sslmode)
        except TeamStoreError as exc:
            self.warn(str(exc))
            return
        self.load_store(config)

    def load_store(self, config, password: str | None = None, remember: bool = False) -> None:
        """Review the team store, computed on its server (read off the UI thread, as files are)."""
        load_id = self._start_loading([], config)
        self.background.run(store_job(config, self.thresholds, self.since, self.until, password, remember,
                                      on_done=lambda data: self._loaded(data, load_id),
                                      on_error=lambda error: self._store_failed(error, load_id)))
        self.loading_row.label.setText(f"Reading the team store at {config.target}…")

    def _store_failed(self, error: BaseException, load_id: int) -> None:
        from copilot.teamstore.errors import TeamStoreError

        if load_id == self._load_id and isinstance(error, TeamStoreError) and error.kind == "auth":
            self._set_busy(False)
            self._ask_password(str(error))
        else:
            self._failed(str(error), load_id)

    def _ask_password(self, why: str) -> None:
        config = self.store
        password, ok = QInputDialog.getText(self, "Team store password",
                                            f"{why}.\n\nPassword for {config.user} on {config.target} "
                                            "(kept in the system keyring):", QLineEdit.EchoMode.Password)
        if ok and password:
            self.load_store(config, password, remember=True)

    def load(self, paths: list[str]) -> None:
        """Read these logs (all of them again: the review is rebuilt, duplicates counted once)."""
        paths = [str(p) for p in dict.fromkeys(paths)]
        load_id = self._start_loading(paths, None)
        self.background.run(files_job(paths, self.thresholds, self.since, self.until, self._stop,
                                      on_done=lambda data: self._loaded(data, load_id),
                                      on_error=lambda error: self._failed(f"{type(error).__name__}: {error}", load_id),
                                      on_progress=lambda step: self._progress(*step, load_id)))

    def _start_loading(self, paths: list[str], store) -> int:
        """A new load replaces the running one (which stops at its next file; its answer is dropped)."""
        self._stop.set()
        self._stop = threading.Event()
        self._load_id += 1
        self.paths, self.store = paths, store
        self._set_busy(True)
        return self._load_id

    def cancel_load(self) -> None:
        if self._loading and not self._stop.is_set():
            self._stop.set()
            self.loading_row.cancelling()

    def _set_busy(self, busy: bool) -> None:
        self._loading = busy
        if busy:
            self.loading_row.start()
        else:
            self.loading_row.hide()
        for action in (self.export_html_action, self.export_csv_action):
            action.setEnabled(not busy and self.data is not None and bool(self.data.review.agents))

    def _progress(self, done: int, total: int, path: str, load_id: int) -> None:
        if load_id != self._load_id:
            return
        self.load_progress.emit(done, total, path)
        self.loading_row.step(done, total, Path(path).name, self._stop.is_set())

    def _failed(self, message: str, load_id: int) -> None:
        if load_id != self._load_id:
            return  # a replaced load's late answer
        self._set_busy(False)
        if not (self.store is not None and self._stop.is_set()):  # a cancelled store read: nothing to say
            what = "The team store could not be read" if self.store is not None else "The logs could not be loaded"
            self.warn(f"{what}:\n\n{message}")

    def warn(self, text: str) -> None:
        """A warning box that shows file names and error text as plain text (never markup), without
        blocking: the window keeps answering while it is open. The last one is kept in `warning`."""
        self.warning = QMessageBox(QMessageBox.Icon.Warning, "Usage review", displayable(text, 4000), parent=self)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.open()

    def _loaded(self, data, load_id: int | None = None) -> None:
        if load_id is not None and load_id != self._load_id:
            return  # a replaced load's late answer: a newer load is running
        if self.store is not None and self._stop.is_set():
            self._set_busy(False)  # the lead cancelled the team store's read
            return
        self.data = data
        review = data.review
        first = next((a.agent for a in review.agents if a.raised), review.agents[0].agent if review.agents else None)
        self.model.set_review(review)  # the proxy sorts the new rows by the current sort column
        self.table.resizeColumnsToContents()
        self.team_tab.set_data(data, first)
        self.tiers_view.show_review(review)
        self._set_busy(False)
        flagged = sum(1 for a in review.agents if a.raised)
        origin = (f"the team store at {self.store.target}" if self.store is not None
                  else f"{len(review.files)} file(s)")
        self.status.setText(f"{len(review.agents)} agent(s), {review.sessions} session(s) from {origin} "
                            f"· {period_text(review)} · {flagged} flagged · read in {review.load_seconds:.1f} s "
                            "· " + ("summed on the server" if self.store is not None else "files were only read"))
        self._show_problems(review)
        if first:
            self.select_agent(first)  # the first flagged agent: where a lead would start
        self.review_shown.emit()

    def _show_problems(self, review) -> None:
        if not review.problems:
            self.notice.hide()
            return
        loaded = f"{len(review.files)} file(s) loaded"
        text = (f"{len(review.problems)} note(s) on the files: {loaded}. "
                + " ".join(display_name(p.message, 400) for p in review.problems[:2])
                + (" …" if len(review.problems) > 2 else ""))
        self.notice.show_notice(text, "warning", ("Details", self.show_problem_details))

    def show_problem_details(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Usage review: files", "Some files were left out or noted:",
                          parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDetailedText("\n\n".join(displayable(p.message, 4000) for p in self.data.review.problems))
        box.setModal(False)
        box.show()

    # ---- selection and drill-down -----------------------------------------------------------
    def select_agent(self, agent: str) -> None:
        row = self.model.row_of(agent)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        else:
            self._show_agent(agent)

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self._show_agent(self.proxy.data(current.siblingAtColumn(0), AGENT_ROLE))

    def _show_agent(self, agent: str) -> None:
        self.team_tab.select(agent)
        self.agent_view.show_loading(agent)
        self._detail_wanted = agent
        self.background.run(detail_job(self.data.review, agent, on_done=lambda d: self._detail_arrived(agent, d),
                                       on_error=lambda error: self._detail_arrived(agent, error)))

    def _sorted(self, column: int, _order) -> None:
        if COLUMNS[column].chart:  # sorting by a charted figure shows the team's spread of it
            self.team_tab.show_figure(COLUMNS[column].key)

    def _detail_arrived(self, agent: str, result) -> None:
        if agent != self._detail_wanted:
            return  # a slower, older request must not overwrite the newer one
        if isinstance(result, BaseException):
            self.agent_view.title.setText(display_name(f"{agent}: the drill-down could not be read ({result}).", 600))
            return
        self.agent_view.show_detail(self.data.review.agent(agent), result)
        self.detail_shown.emit(agent)

    # ---- export -----------------------------------------------------------------------------
    def export(self, kind: str, path: str | None = None) -> None:
        """HTML of the whole review, or CSV of the rows the table shows (after filtering)."""
        if self.data is None:
            return
        if path is None:
            pattern = "HTML report (*.html)" if kind == "html" else "CSV table (*.csv)"
            path, _ = QFileDialog.getSaveFileName(self, "Export the review", f"usage-review.{kind}", pattern)
            if not path:
                return
        agents = self.proxy.visible_agents() if kind == "csv" else None
        self.background.run(export_job(kind, self.data.review, path, agents, self.paths, self._export_done))

    def _export_done(self, path: str, error: str) -> None:
        if error:
            self.warn(f"Could not write {path}:\n\n{error}")
        else:
            self.statusBar().showMessage(f"Wrote {path}", 8000)
        self.exported.emit(path, error)

    def closeEvent(self, event) -> None:
        self._stop.set()  # a load still running stops at its next file; its answer is dropped
        self._load_id += 1
        super().closeEvent(event)


def run_review_window(paths: list[str], thresholds=None, since=None, until=None, store=None) -> int:
    """`store`: a teamstore StoreConfig to review instead of files."""
    from copilot.ui.app import application

    app = application()
    window = ReviewWindow(thresholds, since, until)
    window.show()
    if store is not None:
        window.load_store(store)
    elif paths:
        window.load(paths)
    return app.exec()
