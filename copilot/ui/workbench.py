"""A session with its window: what the app, the self-test and the screenshot command run.

It owns the one background helper, builds the session on it (so assist work runs there), builds
the window, and connects the window's menu entries to the dialogs and windows behind them. What
changes mid-shift (settings, the engine) changes here, with the slow parts (the keyring, the
settings file) done off the UI thread.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer

from copilot import settings as user_settings
from copilot.assist.engines import Engines
from copilot.core.changes import Change
from copilot.core.jobs import Job
from copilot.core.modes import AssistMode, EngineName
from copilot.core.recorder import RecordKind
from copilot.session import Session, SessionOptions
from copilot.settings import Settings
from copilot.ui.background import Background
from copilot.ui.flag_monitor import FlagMonitor
from copilot.ui.main_window import MainWindow
from copilot.ui.settings_dialog import SettingsDialog
from copilot.ui.team_sync import TeamSyncRunner

ASSIST_THREADS = {EngineName.OFFLINE: 2, EngineName.LLM: 5}  # CPU-bound offline; a model server serves several
LOAD_MODEL_AFTER_MS = 150  # after the window's first paint
TEAM_STORE_FIELDS = ("team_store_url", "team_store_sslmode", "team_store_sync", "store_message_text")
LLM_FIELDS = ("engine", "llm_base_url", "llm_model", "llm_temperature", "llm_timeout", "llm_max_tokens",
              "llm_redact_remote")


class Workbench:
    def __init__(self, options: SessionOptions, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.background = Background()
        self.session = Session.build(options, self.settings, runner=self.background)
        self._size_assist_lane()
        self.window = MainWindow(self.session.workspace, subtitle=options.agent)
        self.background.failed.connect(lambda text: self.window.notify(text, "warning"))
        self.window.status_area.health_source = self.session.usage_log.health
        self.window.settings_action.triggered.connect(self.edit_settings)
        self.window.endpoint_action.triggered.connect(self.edit_endpoint)
        self.window.source_action.triggered.connect(self.edit_source)
        self.window.review_action.triggered.connect(self.open_review)
        self.review_window = None
        from copilot.ui.knowledge_ui import KnowledgeUI
        from copilot.ui.translation_ui import TranslationUI

        self.knowledge = KnowledgeUI(self.window, self.session, self.background, options.agent)
        self.translation = TranslationUI(self.window, self.session, self.background, self.settings.agent_language)
        self.window.practice_action.triggered.connect(self.open_practice)
        self.practice_window = None
        # The agent's own flags, computed from the usage log off the UI thread, become nudges.
        self.flags = FlagMonitor(self.session.workspace, self.session.usage_log, options.agent, self.background,
                                 parent=self.window)
        self.flags.flag_raised.connect(self.nudge)
        # The usage log copied to the team store in the background, when Settings ▸ Team store says so.
        self.team_sync = TeamSyncRunner(self.background, self.session.usage_log.path, parent=self.window)
        self.team_sync.status_changed.connect(self.window.status_area.set_team_store_text)
        problems = self.session.problems
        if problems:  # shown without interrupting; the app's start-up also lists them all
            self.window.notify(problems[0] if len(problems) == 1 else
                               f"{len(problems)} problems were found while starting; the first: {problems[0]}")
        self._show_source()
        if getattr(self.session.source, "kind", "simulator") != "simulator":  # the link state, and its countdown
            self.workspace.subscribe(lambda change, _chat: change is Change.SOURCE and self._show_source())
            self._link_timer = QTimer(self.window)
            self._link_timer.timeout.connect(self._show_source)
            self._link_timer.start(1000)

    @property
    def workspace(self):
        return self.session.workspace

    def start(self) -> None:
        self.window.start()
        self.flags.start()
        self.team_sync.configure(self.settings)
        from copilot.ui.practice_window import check_practice_nudge

        check_practice_nudge(self)
        # The offline model is read off the UI thread once the window has painted (reading it while
        # the first paint happens would slow both); the first suggestions wait for it. A weaker
        # fallback model, or a model that cannot be read, is said.
        offline = self.session.engines.offline
        if hasattr(offline, "load"):
            QTimer.singleShot(LOAD_MODEL_AFTER_MS, lambda: self.background.run(Job(
                lambda _control: _load_models(offline), "Loading the offline model", lane="assist",
                on_done=self._models_loaded)))

    def _models_loaded(self, engine) -> None:
        settle_memory()
        if engine.note:
            self.window.notify(engine.note)

    def _show_source(self, *_change) -> None:
        from copilot.sources.live.link_text import describe_link, link_tooltip

        kind = getattr(self.session.source, "kind", "source")
        speed = self.session.options.speed
        speed_text = f" ×{speed:g}" if speed != 1 and kind == "simulator" else ""
        link = self.workspace.link if kind != "simulator" else None
        text = describe_link(kind, link, self.workspace.clock.now())
        self.window.status_area.set_source_text(f"{text}{speed_text} · {self.session.engines.label} engine")
        self.window.status_area.source.setToolTip(link_tooltip(link))

    def _size_assist_lane(self) -> None:
        self.background.set_lane_size("assist", ASSIST_THREADS[self.session.engines.configured])

    # ---- nudges ------------------------------------------------------------------------------
    def nudge(self, flag) -> None:
        """A gentle, dismissable note with one helpful step; never blocks the agent."""
        if not self.settings.nudges:
            return
        ws = self.workspace
        ws.recorder.record(RecordKind.NUDGE_SHOWN, ws.clock.now(), kind=flag.kind)
        if flag.kind == "over_reliance":
            action = ("Try diagnose-first",
                      lambda: self.apply_settings(replace(self.settings, assist_mode=AssistMode.DIAGNOSE_FIRST.value)))
        else:
            fewer = max(1, min(self.settings.max_concurrent_chats, len(ws.open_chats)) - 1)
            action = (f"Take at most {fewer} chats",
                      lambda: self.apply_settings(replace(self.settings, max_concurrent_chats=fewer)))
        self.window.notify(flag.explanation, "nudge", action)

    # ---- settings ----------------------------------------------------------------------------
    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window)
        dialog.setModal(True)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        settings = dialog.result_settings()
        keep_password = dialog.team_store.password_job(settings)
        if keep_password is not None:  # once it is in the keyring, syncing starts again with it
            keep_password.on_done = lambda _note: self.team_sync.configure(self.settings)
            self.background.run(keep_password)
        self.apply_settings(settings)

    def edit_endpoint(self) -> None:
        from copilot.ui.llm_settings import LLMSettingsDialog

        dialog = LLMSettingsDialog(self.settings, self.background, self.window)
        if dialog.exec() != LLMSettingsDialog.DialogCode.Accepted:
            return
        note = dialog.save_key()
        self.apply_settings(dialog.result_settings())
        if note:
            self.window.notify(note, "warning")

    def edit_source(self) -> None:
        from copilot.ui.source_dialog import SourceDialog

        dialog = SourceDialog(self.settings, self.background, self.window)
        if dialog.exec() != SourceDialog.DialogCode.Accepted:
            return
        note = dialog.save_secret()
        self.apply_settings(dialog.result_settings())
        self.window.notify(note or "The chat source is saved; it is used from the next start of the app.",
                           "warning" if note else "info")

    def apply_settings(self, settings: Settings) -> None:
        """What can change mid-shift changes now; the file is written off the UI thread."""
        old, self.settings = self.settings, settings
        self.workspace.mode = AssistMode(settings.assist_mode)
        capacity = getattr(self.session.source, "capacity", None)
        if capacity is not None:
            self.session.source.capacity = settings.max_concurrent_chats
        if any(getattr(old, f) != getattr(settings, f) for f in LLM_FIELDS):
            self._switch_engines(settings)
        if any(getattr(old, f) != getattr(settings, f) for f in TEAM_STORE_FIELDS):
            self.team_sync.configure(settings)
        self.window.status_area.refresh()
        self.background.run(Job(lambda _control: user_settings.save(settings), "Saving your settings"))

    def _switch_engines(self, settings: Settings) -> None:
        """The engine settings changed: build the new engines off the UI thread (the API key comes from
        the keyring, which can be slow), then swap them in; work already running finishes as it was."""
        offline = self.session.engines.offline

        def failed(error: BaseException) -> None:
            self.window.notify(f"The model endpoint settings cannot be used ({error}); the offline engine stays.")

        self.background.run(Job(lambda _control: Engines.from_settings(settings, offline), "Switching engines",
                                on_done=self._use_engines, on_error=failed))

    def _use_engines(self, engines: Engines) -> None:
        self.session.engines = engines
        self.session.coordinator.set_engines(engines)
        self._size_assist_lane()
        ws = self.workspace
        ws.recorder.record(RecordKind.ENGINE_CHANGED, ws.clock.now(), engine=engines.configured.value,
                           label=engines.label)
        self._show_source()

    # ---- the review window ---------------------------------------------------------------------
    def open_review(self) -> None:
        """Copilot ▸ Usage review…: the review window on the agent's own log, raised again later."""
        from copilot.ui.review.window import ReviewWindow

        if self.review_window is None:
            self.review_window = ReviewWindow(background=self.background)
            path = self.session.usage_log.path
            if path is not None and path.exists():
                self.review_window.load([str(path)])
        self.review_window.show()
        self.review_window.raise_()
        self.review_window.activateWindow()

    # ---- practice ------------------------------------------------------------------------------
    def open_practice(self) -> None:
        """Copilot ▸ Practice…: a practice session in the live-work window, suggestions hidden."""
        from copilot.ui.practice_window import open_practice

        if self.practice_window is not None and not self.practice_window.practice.finished:
            self.practice_window.raise_()
            self.practice_window.activateWindow()
            return
        open_practice(self)

    def close(self) -> None:
        if self.practice_window is not None:
            self.practice_window.stop()
        self.flags.stop()
        self.team_sync.stop()
        self.window.stop()
        self.session.coordinator.cancel_all()
        # Suggestions nobody will read are dropped; disk work (a settings save) is finished, not lost.
        self.background.cancel_all(lanes=("assist",))
        self.background.wait_idle(5000)
        self.session.close()


def _load_models(offline):
    """What the first suggestions would otherwise load mid-shift (each read holds the interpreter for
    a while, which stalls the window): the offline model and the language detector's."""
    from copilot import language

    engine = offline.load()
    language.warm_up()
    return engine


def settle_memory() -> None:
    """Once start-up is over (window, models, langchain), move what it allocated out of the garbage
    collector's way: a full collection over those objects took ~90 ms holding the interpreter, which
    froze the window mid-shift; over what a shift allocates it takes a few ms (bench/ui_stall.py)."""
    import gc

    gc.freeze()
