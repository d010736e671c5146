"""The agent's workspace window: chat list | conversation and composer | diagnosis and draft.

It displays the workspace and nothing else: what a chat shows comes from the Workspace (chats,
suggestions, the per-chat AssistState the coordinator writes); what the agent does goes back to
the Workspace. It listens to the workspace's changes (copilot/core/changes.py) and repaints only
what a change concerns. Its menus hold every feature from the start; the Workbench
(copilot/ui/workbench.py) connects the actions that need more than the workspace.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from copilot import APP_NAME, __version__, paths
from copilot.assist.escalation.alerts import EscalationAlerts
from copilot.core.assist_state import AssistStatus
from copilot.core.changes import Change
from copilot.core.display_text import format_wait
from copilot.core.modes import AssistMode
from copilot.core.workspace import Workspace
from copilot.ui.chat_list_delegate import ChatListDelegate
from copilot.ui.chat_list_model import ChatListModel
from copilot.ui.chat_view import ChatView
from copilot.ui.composer import Composer
from copilot.ui.diagnosis_panel import DiagnosisPanel, plain_label
from copilot.ui.draft_panel import DraftPanel
from copilot.ui.notice_bar import NoticeBar
from copilot.ui.status_area import StatusArea

TICK_MS = 100  # how often the chat source is polled
REFRESH_MS = 1000  # how often waiting times and ranking are refreshed
ESCALATION_ALERT = "escalation-alert:"  # notice key prefix, followed by the chat id
ASSIST_NOTICE = "assist-notice"  # notice key of the engine's fallback notices

SHORTCUTS = (
    ("Ctrl+Return", "Accept the draft (send as is)"),
    ("Ctrl+E", "Edit the draft in the composer"),
    ("Ctrl+R", "Reject the draft, with a reason"),
    ("Enter / Shift+Enter", "Send / new line in the composer"),
    ("Ctrl+U", "Go to the most urgent chat"),
    ("Ctrl+Down / Ctrl+Up", "Next / previous chat"),
    ("Ctrl+L", "Focus the composer"),
    ("Ctrl+G", "Show the suggestion (suggestions-on-request mode)"),
    ("Alt+1..3 / Alt+0", "Pick the diagnosis / none of these (diagnose-first mode, or no matching category)"),
    ("Alt+I, Enter", "Name the issue yourself (a blind-first chat)"),
    ("Ctrl+D", "Resolve the chat"),
    ("Ctrl+W", "Close the chat without resolving"),
    ("Ctrl+K", "Knowledge: search saved replies and articles, insert one"),
    ("Ctrl+Shift+N", "Wrap-up note for the chat in focus (also for a handover)"),
    ("Ctrl+Shift+T", "Translate my reply into the customer's language, see both, send"),
    ("Ctrl+,", "Settings"),
    ("F1", "All shortcuts"),
)


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, subtitle: str = "", parent=None):
        super().__init__(parent)
        self.workspace = workspace
        self.alerts = EscalationAlerts(workspace)
        self.alert_sound = False
        self._unsent: dict[str, str] = {}  # chat id -> what the agent had written there, not sent
        self._composer_chat: str | None = None  # the chat the composer's text belongs to
        self._last_notice = ""  # the last engine notice shown, so one failure is said once
        self.setWindowTitle(f"{APP_NAME}{' — ' + subtitle if subtitle else ''}")
        self.resize(1400, 860)
        self._build()
        self._build_menus()
        self._build_shortcuts()
        self._connect()
        self.tick_timer = QTimer(self)
        self.tick_timer.timeout.connect(self.workspace.tick)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.tick_timer.start(TICK_MS)
        self.refresh_timer.start(REFRESH_MS)

    def stop(self) -> None:
        self.tick_timer.stop()
        self.refresh_timer.stop()

    # ---- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.model = ChatListModel(self.workspace, self)
        self.chat_list = QListView()
        self.chat_list.setObjectName("chatList")
        self.chat_list.setModel(self.model)
        self.chat_list.setItemDelegate(ChatListDelegate(self.chat_list))
        self.chat_list.setUniformItemSizes(True)
        self.chat_list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        self.list_title = plain_label("CHATS", "paneTitle", wrap=False)
        left_layout.addWidget(self.list_title)
        left_layout.addWidget(self.chat_list)

        self.chat_title = plain_label("", "chatTitle", wrap=False)
        self.chat_subtitle = plain_label("", "chatSubtitle", wrap=False)
        # A long escalation trigger or name must never widen the window: the layout cuts it instead.
        for label in (self.chat_title, self.chat_subtitle):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.resolve_button = QPushButton("Resolve  (Ctrl+D)")
        self.close_button = QPushButton("Close  (Ctrl+W)")
        header = QFrame()
        header.setObjectName("chatHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 10, 16, 10)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.chat_title)
        titles.addWidget(self.chat_subtitle)
        header_layout.addLayout(titles, 1)
        header_layout.addWidget(self.resolve_button)
        header_layout.addWidget(self.close_button)

        self.chat_view = ChatView()
        self.composer = Composer()
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("primary")
        composer_box = QFrame()
        composer_box.setObjectName("composerBox")
        composer_layout = QHBoxLayout(composer_box)
        composer_layout.setContentsMargins(12, 10, 12, 10)
        composer_layout.addWidget(self.composer, 1)
        composer_layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(0)
        self.notice_bar = NoticeBar()
        center_layout.addWidget(self.notice_bar)
        center_layout.addWidget(header)
        center_layout.addWidget(self.chat_view, 1)
        center_layout.addWidget(composer_box)

        self.diagnosis_panel = DiagnosisPanel()
        self.draft_panel = DraftPanel()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(10, 10, 10, 10)
        right_layout.setSpacing(10)
        right_layout.addWidget(self.diagnosis_panel, 1)
        right_layout.addWidget(self.draft_panel, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(center)
        splitter.addWidget(right)
        splitter.setSizes([300, 680, 420])
        splitter.setChildrenCollapsible(False)
        splitter.setObjectName("workspace")
        self.setCentralWidget(splitter)
        self.status_area = StatusArea(self.workspace)
        self.statusBar().addPermanentWidget(self.status_area, 1)
        self.statusBar().setSizeGripEnabled(False)
        self._show_focused()

    def _build_menus(self) -> None:
        """Every feature's menu entry is here from the start; the Workbench connects the actions."""
        menu = self.menuBar().addMenu("&Copilot")
        self.settings_action = menu.addAction("&Settings…")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.endpoint_action = menu.addAction("Model &endpoint…")
        self.review_action = menu.addAction("Usage &review…")
        self.knowledge_action = menu.addAction("&Knowledge…")  # saved replies and articles (ui/knowledge_ui.py)
        self.knowledge_action.setShortcut(QKeySequence("Ctrl+K"))
        self.wrapup_action = menu.addAction("&Wrap-up note…")  # for the chat in focus, also for a handover
        self.wrapup_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.translate_action = menu.addAction("&Translate my reply…")  # LLM endpoint (ui/translation_ui.py)
        self.translate_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.practice_action = menu.addAction("&Practice…")  # copilot/ui/practice_window.py
        menu.addSeparator()
        quit_action = menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)
        help_menu.addAction("&About Agent Copilot", self.show_about)

    def notify(self, text: str, kind: str = "warning", action=None, key: str = "") -> None:
        """A non-blocking note for the agent (fallbacks, problems, nudges). With a key, the note
        can be withdrawn later (withdraw_notice) when what it says no longer holds."""
        self.notice_bar.show_notice(text, kind, action, key)

    def withdraw_notice(self, key: str) -> bool:
        """Take away the note raised with this key, if it is still the one shown."""
        return self.notice_bar.withdraw(key)

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{APP_NAME} {__version__}\n\nIssue diagnosis and draft replies for support agents, "
                    f"with a local usage log.\n\nYour data: {paths.data_dir()}")
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()

    def _build_shortcuts(self) -> None:
        def shortcut(keys: str, slot) -> QAction:
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.accept_action = shortcut("Ctrl+Return", self.accept_draft)
        self.accept_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        shortcut("Ctrl+E", self.edit_draft)
        shortcut("Ctrl+R", self.draft_panel.open_reasons)
        shortcut("Ctrl+D", lambda: self.end_chat(resolved=True))
        shortcut("Ctrl+W", lambda: self.end_chat(resolved=False))
        shortcut("Ctrl+U", self.focus_most_urgent)
        shortcut("Ctrl+Down", lambda: self._step_focus(+1))
        shortcut("Ctrl+Up", lambda: self._step_focus(-1))
        shortcut("Ctrl+L", self.composer.setFocus)
        shortcut("Ctrl+G", self.reveal_suggestion)
        shortcut("Alt+I", self.focus_blind_list)
        shortcut("F1", self.show_shortcuts)

    def _connect(self) -> None:
        self.workspace.subscribe(self._on_change)
        self.chat_list.selectionModel().currentChanged.connect(self._list_current_changed)
        self.composer.send_requested.connect(self.send_from_composer)
        self.composer.typed.connect(self._typed)
        self.send_button.clicked.connect(lambda: self.send_from_composer(self.composer.toPlainText()))
        self.draft_panel.accept_requested.connect(self.accept_draft)
        self.draft_panel.edit_requested.connect(self.edit_draft)
        self.draft_panel.reject_requested.connect(self.reject_draft)
        self.diagnosis_panel.category_chosen.connect(self.choose_category)
        self.diagnosis_panel.reveal_requested.connect(self.reveal_suggestion)
        self.diagnosis_panel.blind_picked.connect(self.blind_pick)
        self.resolve_button.clicked.connect(lambda: self.end_chat(resolved=True))
        self.close_button.clicked.connect(lambda: self.end_chat(resolved=False))

    # ---- reacting to the workspace ------------------------------------------------------------
    def _on_change(self, change: Change, chat_id: str) -> None:
        """Called on the UI thread for every workspace change; repaints only what it concerns."""
        focused = chat_id == self.workspace.focused_id and chat_id != ""
        if change is Change.CHAT_ADDED:
            self.model.refresh()
        elif change is Change.CHAT_CHANGED:
            self._chat_changed(chat_id)
        elif change is Change.FOCUS:
            self._show_focused()
        elif change in (Change.SUGGESTION, Change.ASSIST):
            if change is Change.ASSIST:
                self._show_assist_notice(chat_id)
            if focused:
                self._show_suggestion()
        elif change is Change.DRAFT_STREAM:
            if focused:
                self._show_stream(chat_id)
        elif change is Change.SOURCE:
            self.status_area.refresh()

    def _chat_changed(self, chat_id: str) -> None:
        self._withdraw_stale_escalation_alert()
        self.model.refresh(chat_id)
        if chat_id == self.workspace.focused_id:
            chat = self.workspace.chats[chat_id]
            self.chat_view.append_new(chat)
            self._show_header()
            self._show_suggestion()
        self.status_area.refresh()

    def _show_assist_notice(self, chat_id: str) -> None:
        """The configured engine failed and the offline one answered: say so once, without interrupting."""
        state = self.workspace.assist.get(chat_id)
        if state is not None and state.notice and state.notice != self._last_notice:
            self._last_notice = state.notice
            self.notify(state.notice, "warning", key=ASSIST_NOTICE)

    def _draft_may_stream(self, chat_id: str) -> bool:
        """A draft being written is shown only where a finished one would be: in automatic mode, or
        once the agent has picked the category it is written for."""
        state = self.workspace.suggestion_for(chat_id)
        if state is not None and state.decision is None:
            return state.redrafting
        return self.workspace.mode is AssistMode.AUTOMATIC

    def _show_stream(self, chat_id: str) -> None:
        assist = self.workspace.assist.get(chat_id)
        if assist is not None and assist.status is AssistStatus.STREAMING and self._draft_may_stream(chat_id):
            self.draft_panel.show_stream(assist.stream)

    def _show_focused(self) -> None:
        chat = self.workspace.focused
        self.chat_view.show_chat(chat)
        self._show_header()
        self._show_suggestion()
        self._select_in_list(chat.id if chat else None)
        self._swap_composer(chat.id if chat and chat.is_open else None)

    def _swap_composer(self, chat_id: str | None) -> None:
        """A reply half-written (or a draft being edited) waits in its chat while the agent looks at
        another: agents switch chats mid-sentence all day, and losing the words would punish that."""
        if chat_id == self._composer_chat:
            return
        text = self.composer.toPlainText()
        if self._composer_chat is not None and text.strip():
            self._unsent[self._composer_chat] = text
        self._unsent = {cid: t for cid, t in self._unsent.items()
                        if (c := self.workspace.chats.get(cid)) is not None and c.is_open}
        self._composer_chat = chat_id
        saved = self._unsent.pop(chat_id, "") if chat_id is not None else ""
        self.composer.setPlainText(saved)
        self.composer.moveCursor(QTextCursor.MoveOperation.End)
        if self.model.unsent != set(self._unsent):  # the list marks chats holding a started reply
            self.model.unsent = set(self._unsent)
            self.model.refresh()

    def _show_header(self) -> None:
        chat = self.workspace.focused
        open_ = bool(chat and chat.is_open)
        for widget in (self.resolve_button, self.close_button, self.composer, self.send_button):
            widget.setEnabled(open_)
        if chat is None:
            self.chat_title.setText("No chat in focus")
            self.chat_subtitle.setText("")
            return
        self.chat_title.setText(chat.customer_name)
        parts = [chat.issue_guess or "No diagnosis yet"]
        if chat.escalation is not None and chat.is_open:
            since = format_wait(self.workspace.clock.now() - chat.escalation.since)
            parts.insert(0, f"{chat.escalation.type.capitalize()} escalation {since} ago: {chat.escalation.trigger}")
        if not chat.is_open:
            parts.append(chat.status.value.capitalize())
        elif chat.awaiting_reply_since is not None:
            parts.append(f"waiting {format_wait(chat.waiting_seconds(self.workspace.clock.now()))}")
        self.chat_subtitle.setText("  ·  ".join(parts))

    def _show_suggestion(self) -> None:
        chat = self.workspace.focused
        if chat is None:
            self.diagnosis_panel.show_empty("Select a chat to see its diagnosis.")
            self.draft_panel.show_state(None, waiting=False)
            return
        state = self.workspace.suggestion_for(chat.id)
        assist = self.workspace.assist.get(chat.id)
        failure = assist.failure if assist is not None and assist.status is AssistStatus.FAILED else ""
        waiting = chat.is_open and chat.awaiting_reply_since is not None and not failure
        if state is not None and state.blind and state.decision is None:
            self.diagnosis_panel.show_blind_pick(self._issues())
            self.draft_panel.show_state(None, waiting=False, hidden="Name the issue first: the draft follows.")
            return
        if state is not None and not state.diagnosis_visible:
            self.diagnosis_panel.show_hidden()
            self.draft_panel.show_state(None, waiting=False, hidden="Press Show suggestion (Ctrl+G) when you want to see it.")
            return
        if state is not None and state.decision is None and (not state.draft_visible or state.redrafting):
            self.diagnosis_panel.show_choices(state.suggestion.diagnosis, picked=state.chosen_category)
            note = ("Writing a draft for your diagnosis…" if state.redrafting
                    else "Pick the issue first: the draft follows your diagnosis.")
            self.draft_panel.show_state(None, waiting=False, hidden=note)
            self._show_stream(chat.id)
            return
        if state is not None:
            self.diagnosis_panel.show_diagnosis(state.suggestion.diagnosis, can_pick=state.decision is None)
        elif waiting:
            self.diagnosis_panel.show_pending()
        elif failure:
            self.diagnosis_panel.show_empty("No diagnosis: the assistant failed on this message.")
        else:
            self.diagnosis_panel.show_empty("Nothing to diagnose: the customer has not written since your reply.")
        self.draft_panel.show_state(state, waiting=waiting, failure=failure)
        if state is None or state.suggestion.message_id != (assist.message_id if assist else None):
            self._show_stream(chat.id)

    def _select_in_list(self, chat_id: str | None) -> None:
        self.model.refresh(chat_id)
        row = self.model.row_of(chat_id) if chat_id else -1
        selection = self.chat_list.selectionModel()
        if row < 0:
            selection.clearSelection()
            return
        index = self.model.index(row)
        if selection.currentIndex() != index:
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.chat_list.scrollTo(index)

    def _list_current_changed(self, current, _previous) -> None:
        chat_id = self.model.chat_id_at(current.row()) if current.isValid() else None
        if chat_id and chat_id != self.workspace.focused_id:
            self.workspace.focus(chat_id)

    def refresh(self) -> None:
        self.model.refresh()
        self._show_header()
        self.status_area.refresh()
        self._withdraw_stale_escalation_alert()
        for alert in self.alerts.due():
            self.notify(alert.text, "warning", ("Go to chat", lambda cid=alert.chat_id: self._go_to_escalated_chat(cid)),
                        key=ESCALATION_ALERT + alert.chat_id)
            if self.alert_sound:
                QApplication.beep()

    def _withdraw_stale_escalation_alert(self) -> None:
        """The alert goes once its chat has ended or the agent has answered that customer."""
        key = self.notice_bar.key
        if key.startswith(ESCALATION_ALERT) and not self.notice_bar.isHidden() \
                and not self.alerts.holds(key[len(ESCALATION_ALERT):]):
            self.withdraw_notice(key)

    def _go_to_escalated_chat(self, chat_id: str) -> None:
        """The alert's action: only to a chat still open (a stale alert does nothing)."""
        chat = self.workspace.chats.get(chat_id)
        if chat is not None and chat.is_open:
            self.workspace.focus(chat_id)

    # ---- the agent's actions -----------------------------------------------------------------
    def accept_draft(self) -> None:
        chat = self.workspace.focused
        if chat and self.workspace.accept(chat.id):
            self.composer.clear()

    def edit_draft(self) -> None:
        chat = self.workspace.focused
        if chat is None:
            return
        text = self.workspace.start_edit(chat.id)
        if text is not None:
            self.composer.load(text)

    @staticmethod
    def _issues() -> list[tuple[str, str]]:
        from copilot.practice.issues import issue_catalogue

        return [(info.id, info.label) for info in issue_catalogue()]

    def blind_pick(self, category: str) -> None:
        chat = self.workspace.focused
        if chat is not None and self.workspace.blind_pick(chat.id, category):
            self.composer.setFocus()

    def focus_blind_list(self) -> None:
        if self.diagnosis_panel.blind.isVisible():
            self.diagnosis_panel.blind_list.setFocus()
            if self.diagnosis_panel.blind_list.currentRow() < 0:
                self.diagnosis_panel.blind_list.setCurrentRow(0)

    def reveal_suggestion(self) -> None:
        chat = self.workspace.focused
        if chat:
            self.workspace.reveal(chat.id)

    def choose_category(self, category: str) -> None:
        """Diagnose-first: the agent's pick among the engine's options ("" for none of these); after
        "no matching category": the category the agent names."""
        chat = self.workspace.focused
        if chat is None:
            return
        state = self.workspace.suggestion_for(chat.id)
        if state is not None and state.draft_visible and state.suggestion.diagnosis.abstained:
            self.workspace.pick_category(chat.id, category)
        else:
            self.workspace.confirm_diagnosis(chat.id, category or None)

    def reject_draft(self, reason: str) -> None:
        chat = self.workspace.focused
        if chat:
            self.workspace.reject(chat.id, reason)
            self.composer.setFocus()

    def send_from_composer(self, text: str) -> None:
        chat = self.workspace.focused
        if chat and self.workspace.send(chat.id, text):
            self.composer.clear()

    def _typed(self) -> None:
        chat = self.workspace.focused
        if chat:
            self.workspace.note_keystroke(chat.id)

    def end_chat(self, resolved: bool) -> None:
        chat = self.workspace.focused
        if chat and chat.is_open:
            self.workspace.end_chat(chat.id, resolved)

    def focus_most_urgent(self) -> None:
        ranked = [c for c in self.workspace.ranked_chats() if c.is_open]
        if ranked:
            self.workspace.focus(ranked[0].id)

    def _step_focus(self, step: int) -> None:
        current = self.chat_list.currentIndex().row()
        row = max(0, min(self.model.rowCount() - 1, current + step))
        chat_id = self.model.chat_id_at(row)
        if chat_id:
            self.workspace.focus(chat_id)

    def show_shortcuts(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("\n".join(f"{keys:<22} {what}" for keys, what in SHORTCUTS))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
