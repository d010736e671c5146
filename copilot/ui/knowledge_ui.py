"""Connects the team's knowledge and the wrap-up note to the window: the Knowledge panel (Ctrl+K),
a saved reply inserted into the composer with its placeholders filled, which items were shown,
inserted and sent (usage log), and the wrap-up note when a chat ends or on demand (Ctrl+Shift+N).

All index, engine and model work runs as Jobs on the workbench's background helper; callbacks come
back on the UI thread. The Qt-free parts are copilot/knowledge and copilot/assist/wrapup.py.
"""
from __future__ import annotations

from copilot.assist.engine import Conversation
from copilot.core.changes import Change
from copilot.core.chat import ChatStatus
from copilot.core.jobs import Job
from copilot.knowledge.jobs import LatestSearch, top_for_job, wrapup_job
from copilot.knowledge.usage import KnowledgeUsage
from copilot.ui.knowledge_panel import KnowledgePanel
from copilot.ui.wrapup_dialog import WrapUpDialog

STATUS = {ChatStatus.RESOLVED: "resolved", ChatStatus.CLOSED: "closed", ChatStatus.ABANDONED: "abandoned",
          ChatStatus.OPEN: "open"}


def conversation_of(chat) -> Conversation | None:
    return Conversation.of(chat, chat.messages[-1]) if chat is not None and chat.messages else None


class KnowledgeUI:
    def __init__(self, window, session, background, agent_name: str = ""):
        self.window, self.session, self.background = window, session, background
        self.workspace = session.workspace
        self.agent_name = agent_name
        self.kb = getattr(session.engines.offline, "knowledge", None)
        self.usage = KnowledgeUsage(self.workspace.recorder, clock=self.workspace.clock.now)
        self.panel = KnowledgePanel(window)
        self.dialog = WrapUpDialog(window)
        self.searches: LatestSearch | None = None
        # chat id -> (item id, the composer's text after the insert, the chat's last message id then)
        self.inserted: dict[str, tuple[str, str, int]] = {}
        self.panel.search_changed.connect(self._search)
        self.panel.item_selected.connect(self._show_item)
        self.panel.insert_requested.connect(self._insert)
        self.panel.import_requested.connect(self.import_path)
        self.dialog.post_requested.connect(self._post)
        window.knowledge_action.triggered.connect(self.open_panel)
        window.wrapup_action.triggered.connect(lambda: self.wrap_up(self.workspace.focused_id))
        self.workspace.subscribe(self._on_change)

    # ---- the index ---------------------------------------------------------------------------
    def _with_kb(self, then) -> None:
        """Run `then()` once the index is open (opened off the UI thread the first time)."""
        if self.kb is not None:
            then()
            return

        def opened(kb) -> None:
            self.kb = kb
            self.searches = None
            then()

        def failed(error: BaseException) -> None:
            self.panel.show_status(f"The knowledge index cannot be opened: {error}")

        from copilot.knowledge.base import KnowledgeBase

        self.background.run(Job(lambda control: KnowledgeBase.open(), "Opening the knowledge index", on_done=opened,
                                on_error=failed))

    def open_panel(self) -> None:
        self.panel.open_for_chat()
        self._with_kb(lambda: self._search(self.panel.search.text()))

    def import_path(self, path: str) -> None:
        """Import a file or folder ("" for the shipped sample) off the UI thread, with progress and a report."""
        from copilot import paths
        from copilot.knowledge.jobs import import_job

        source = path or str(paths.resource("knowledge", "sample"))
        self.panel.import_button.setEnabled(False)
        self.panel.show_status(f"Importing {source}…")

        def progress(value) -> None:
            files, current = value
            self.panel.show_status(f"Importing: {files} file(s) read… {current}")

        def done(report) -> None:
            self.panel.import_button.setEnabled(True)
            skipped = sum(report.skipped_count.values())
            self.panel.show_status(f"Imported {report.taken} item(s): {report.added} new, {report.updated} updated"
                                   + (f"; {skipped} skipped (`copilot knowledge import --json` says why)" if skipped
                                      else "") + ".")
            self.searches = None
            self._search(self.panel.search.text())

        def failed(error: BaseException) -> None:
            self.panel.import_button.setEnabled(True)
            self.panel.show_status(f"The import failed: {error}")

        def start() -> None:
            job = import_job(self.kb, [source], done, progress)
            job.on_error = failed
            self.background.run(job)

        self._with_kb(start)

    def _search(self, text: str) -> None:
        if self.kb is None:
            return
        if not text.strip():
            self._best_three()
            return
        if self.searches is None:
            self.searches = LatestSearch(self.kb, lambda query, hits: self.panel.show_hits(hits, f"Results for “{query}”"))
        self.background.run(self.searches.job(text))

    def _best_three(self) -> None:
        chat = self.workspace.focused
        conversation = conversation_of(chat)
        if conversation is None:
            self.panel.show_hits([], "Type to search saved replies and articles.")
            return

        def show(hits: list) -> None:
            if not self.panel.search.text().strip():
                self.panel.show_hits(hits, f"Best for the chat with {chat.customer_name}" if hits else
                                     "Nothing imported fits this chat yet: Import… adds the team's saved replies "
                                     "and articles (or `copilot knowledge import`).")
                self.usage.shown(chat.id, [h.id for h in hits], "top_for")

        self.background.run(top_for_job(self.kb, conversation, self._diagnosis(chat.id), show))

    def _diagnosis(self, chat_id: str):
        remembered = self.workspace.assist_for(chat_id).diagnoses
        return next(reversed(remembered.values()))[0] if remembered else None

    def _show_item(self, item_id: str) -> None:
        def show(item) -> None:
            if item is not None and item_id == self.panel.current_id():
                self.panel.show_item(f"{item.title}\n\n{item.body}" + (f"\n\n{item.url}" if item.url else ""))

        self.background.run(Job(lambda control: self.kb.get(item_id), "Reading the item", on_done=show, lane="assist"))

    def _insert(self, item_id: str) -> None:
        chat = self.workspace.focused
        conversation = conversation_of(chat)
        if conversation is None or not chat.is_open:
            self.panel.show_status("Open a chat first: the reply is filled from the chat in focus.")
            return

        def work(control):
            item = self.kb.get(item_id)
            return None if item is None else self.kb.fill(item, conversation, agent_name=self.agent_name)

        def done(filled) -> None:
            if filled is None or self.workspace.focused_id != chat.id:
                return
            self.window.composer.insertPlainText(filled.text)
            self.window.composer.setFocus()
            last = chat.messages[-1].id if chat.messages else 0
            self.inserted[chat.id] = (item_id, self.window.composer.toPlainText(), last)
            self.usage.inserted(chat.id, item_id, filled.ready, len(filled.missing), len(filled.unknown))
            self.panel.show_status("Inserted. " + " ".join(filled.problems) if filled.problems else
                                   "Inserted into your reply: read it before you send it.")

        self.background.run(Job(work, "Filling the saved reply", on_done=done, lane="assist"))

    def _sent(self, chat_id: str) -> None:
        """The agent's first reply after an insert: how much of the inserted text went out as it was."""
        item_id, inserted, after = self.inserted[chat_id]
        chat = self.workspace.chats.get(chat_id)
        reply = next((m for m in chat.messages if m.id > after and m.sender.value == "agent" and not m.outside), None)
        if reply is not None:
            del self.inserted[chat_id]
            self.usage.sent(chat_id, item_id, inserted, reply.text)

    # ---- wrap-up notes ---------------------------------------------------------------------------
    def _on_change(self, change: Change, chat_id: str) -> None:
        if change is Change.CHAT_CHANGED and chat_id in self.inserted:
            self._sent(chat_id)
        if change is not Change.CHAT_ENDED:
            return
        self.inserted.pop(chat_id, None)
        chat = self.workspace.chats.get(chat_id)
        if chat is not None and chat.status in (ChatStatus.RESOLVED, ChatStatus.CLOSED):
            self.window.notify(f"The chat with {chat.customer_name} has ended.", "info",
                               action=("Wrap-up note", lambda: self.wrap_up(chat_id)), key=f"wrapup:{chat_id}")

    def wrap_up(self, chat_id: str) -> None:
        """The note for the chat (ended, or open for a handover), in the dialog."""
        chat = self.workspace.chats.get(chat_id)
        conversation = conversation_of(chat)
        if conversation is None:
            self.window.notify("There is no conversation to sum up yet.", "info")
            return
        self.dialog.show_waiting(chat_id, chat.customer_name)
        can_post = hasattr(self.workspace.source, "post_note")
        self.background.run(wrapup_job(self.session.engines, conversation, self._diagnosis(chat_id),
                                       STATUS.get(chat.status, "open"),
                                       lambda note: self.dialog.show_note(chat_id, note, can_post)))

    def _post(self, chat_id: str, text: str) -> None:
        if hasattr(self.workspace.source, "post_note") and text.strip():
            self.workspace.source.post_note(chat_id, text, self.workspace.clock.now())
            self.dialog.notice.setText("Posted as a private note.")
