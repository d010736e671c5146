"""The team store in the app: background sync passes, the status line's words, and its Settings fields.

TeamSyncRunner runs copilot.teamstore.sync.TeamSync.run_once on the background helper (its own
"sync" lane, one thread, so a long catch-up never delays the app's other work), a first pass soon
after start and the next after TeamSync.next_delay() (a minute; up to 15 while the store is away).
It says "team store: 3 h behind · cannot reach …" through `status_changed`, refreshed each minute.
TeamStoreBox is the Settings dialog's team-store block: URL (never a password), TLS, sync on/off,
and a password field whose text goes to the OS keyring, off the UI thread.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QWidget

from copilot.core.jobs import Job
from copilot.settings import Settings

LANE = "sync"
FIRST_PASS_MS = 5_000  # after start: the window paints and settles first
REFRESH_MS = 60_000  # "3 h behind" grows while the store is away


class TeamSyncRunner(QObject):
    status_changed = Signal(str)  # the status line's words; "" when the team store is off

    def __init__(self, background, log_path: Path | None, parent=None):
        super().__init__(parent)
        self.background, self.log_path = background, log_path
        self.background.set_lane_size(LANE, 1)
        self.sync = None  # copilot.teamstore.sync.TeamSync while syncing is on
        self.problem = ""  # why syncing cannot run with the current settings
        self._control = None
        self._next = QTimer(self, singleShot=True)
        self._next.timeout.connect(self.run_pass)
        self._refresh = QTimer(self, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.show_status)

    def configure(self, settings: Settings) -> None:
        """Start, change or stop syncing to match the settings."""
        from copilot.teamstore.config import StoreConfig
        from copilot.teamstore.errors import TeamStoreError
        from copilot.teamstore.sync import TeamSync

        self.stop()
        self.sync, self.problem = None, ""
        if settings.team_store_sync and self.log_path is not None:
            try:
                config = StoreConfig.parse(settings.team_store_url, settings.team_store_sslmode)
                self.sync = TeamSync(config, self.log_path, allow_text=settings.store_message_text)
            except TeamStoreError as exc:
                self.problem = f"team store: {exc}"
        if self.sync is not None:
            self._next.start(FIRST_PASS_MS)
            self._refresh.start()
        self.show_status()

    def run_pass(self) -> None:
        """One pass now (unless one is running); the next is scheduled when it ends."""
        if self.sync is None:
            return
        if self._control is not None and not self._control.finished:  # e.g. a cancelled pass still ending
            self._next.start(FIRST_PASS_MS)
            return
        sync = self.sync
        self._control = self.background.run(Job(
            lambda control: sync.run_once(cancelled=lambda: control.cancelled), "Syncing with the team store",
            on_done=lambda report: self._passed(sync), on_error=lambda error: self._passed(sync), lane=LANE))

    def _passed(self, sync) -> None:
        if sync is self.sync:  # not a pass of settings since replaced
            self._next.start(int(sync.next_delay() * 1000))
            self.show_status()

    def status_text(self) -> str:
        if self.problem:
            return self.problem
        return self.sync.status().text() if self.sync is not None else ""

    def show_status(self) -> None:
        self.status_changed.emit(self.status_text())

    def stop(self) -> None:
        self._next.stop()
        self._refresh.stop()
        if self._control is not None:
            self._control.cancel()  # the pass stops after its current batch; the next start goes on


class TeamStoreBox(QWidget):
    """Settings ▸ Team store: where the store is, TLS, sync on/off, and (optionally) a new password."""

    def __init__(self, settings: Settings, parent=None):
        from copilot.teamstore.config import SSLMODES

        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(settings.team_store_url)
        self.url.setPlaceholderText("postgresql://you@db.example.com/copilot (no password here)")
        self.sslmode = QComboBox()
        self.sslmode.addItems(SSLMODES)
        self.sslmode.setCurrentText(settings.team_store_sslmode)
        self.sync = QCheckBox("Copy my usage log to the team store in the background")
        self.sync.setChecked(settings.team_store_sync)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Leave empty to keep the saved one (kept in the system keyring)")
        form.addRow("Address", self.url)
        form.addRow("TLS (sslmode)", self.sslmode)
        form.addRow("Password", self.password)
        form.addRow("", self.sync)

    def apply(self, settings: Settings) -> Settings:
        return replace(settings, team_store_url=self.url.text().strip(), team_store_sslmode=self.sslmode.currentText(),
                       team_store_sync=self.sync.isChecked())

    def problem(self, settings: Settings) -> str:
        """Why these fields cannot be saved ("" when they can)."""
        try:
            self.apply(settings)._validate_team_store()
        except ValueError as exc:
            return str(exc)
        return ""

    def password_job(self, settings: Settings) -> Job | None:
        """Keeping a newly typed password in the keyring, off the UI thread (None when none was typed)."""
        password = self.password.text()
        if not password or not settings.team_store_url:
            return None
        from copilot.secrets import set_team_store_password
        from copilot.teamstore.config import StoreConfig

        account = StoreConfig.parse(settings.team_store_url, settings.team_store_sslmode).account
        return Job(lambda _control: set_team_store_password(account, password), "Saving the team store password")
