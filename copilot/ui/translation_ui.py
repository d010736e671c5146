"""Translations in the window, with an LLM endpoint: each customer message in another language gets
its translation under the original, and the agent may write in their own language and send the
translation after seeing both side by side (Copilot ▸ Translate my reply, Ctrl+Shift+T).

Detection is local (copilot/language); translation is a Job on the background helper
(copilot/knowledge/jobs.py::translate_job). A translation with flags (numbers changed, wrong
language) is shown with them, and the Send button says what to check.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout

from copilot.core.changes import Change
from copilot.core.chat import Sender
from copilot.knowledge.jobs import translate_job
from copilot.language import LANGUAGES


def llm_configured(engines) -> bool:
    return bool(engines.has_fallback and hasattr(engines.primary, "complete"))


class SideBySide(QDialog):
    """The agent's text and its translation; only the translation is sent, and only from here."""

    def __init__(self, parent, on_send):
        super().__init__(parent)
        self.setWindowTitle("Translate my reply")
        self.resize(720, 320)
        self.on_send = on_send
        self.mine, self.theirs = QPlainTextEdit(readOnly=True), QPlainTextEdit()
        self.flags = QLabel("")
        self.flags.setTextFormat(Qt.TextFormat.PlainText)
        self.flags.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.mine)
        row.addWidget(self.theirs)
        buttons = QDialogButtonBox()
        self.send_button = buttons.addButton("&Send the translation", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.flags)
        layout.addWidget(buttons)
        self.send_button.clicked.connect(self._send)

    def show_waiting(self, text: str, language: str) -> None:
        self.mine.setPlainText(text)
        self.theirs.setPlainText("")
        into = f" into {LANGUAGES.get(language, language)}" if language else ""
        self.theirs.setPlaceholderText(f"Translating{into}…")
        self.flags.setText("")
        self.send_button.setEnabled(False)
        self.show()

    def show_translation(self, translation) -> None:
        self.theirs.setPlainText(translation.text)
        problems = list(translation.flags) or ([translation.notice] if translation.notice else [])
        self.flags.setText("Check before sending: " + " ".join(problems) if problems else
                           "Read the translation, edit it if needed, then send it.")
        self.send_button.setEnabled(bool(translation.text))

    def _send(self) -> None:
        text = self.theirs.toPlainText().strip()
        if text:
            self.on_send(text)
            self.hide()


class TranslationUI:
    def __init__(self, window, session, background, agent_language: str = "en"):
        self.window, self.session, self.background = window, session, background
        self.workspace = session.workspace
        self.agent_language = agent_language
        self.dialog = SideBySide(window, self._send)
        window.translate_action.triggered.connect(self.translate_reply)
        self.workspace.subscribe(self._on_change)

    def _on_change(self, change: Change, chat_id: str) -> None:
        if change is not Change.CUSTOMER_MESSAGE or not llm_configured(self.session.engines):
            return
        chat = self.workspace.chats.get(chat_id)
        message = chat.last_customer_message if chat else None
        if message is None:
            return

        def show(translation) -> None:
            if translation.text:
                flags = f"  [check: {' '.join(translation.flags)}]" if translation.flags else ""
                self.window.chat_view.set_translation(message.id, translation.text + flags)

        # The language is detected in the job, off the UI thread; an English message costs nothing more.
        self.background.run(translate_job(self.session.engines, message.text, self.agent_language, show,
                                          detect_from=[message.text]))

    def translate_reply(self) -> None:
        chat = self.workspace.focused
        text = self.window.composer.toPlainText().strip()
        if chat is None or not text:
            self.window.notify("Write your reply in the composer first, then translate it.", "info")
            return
        if not llm_configured(self.session.engines):
            self.window.notify("Translation needs an LLM endpoint (Copilot ▸ Model endpoint…).", "info")
            return
        customer = [m.text for m in chat.messages if m.sender is Sender.CUSTOMER]
        self.dialog.show_waiting(text, "")
        # Into the customer's language, detected in the job: the agent's text is the source.
        self.background.run(self._reply_job(text, customer))

    def _reply_job(self, text: str, customer: list[str]):
        from copilot.core.jobs import Job
        from copilot.language import detect_turns

        engines, mine = self.session.engines, self.agent_language

        def work(control):
            found = detect_turns(customer)
            if not found.reliable or found.code == mine:
                return None
            return translate_job(engines, text, found.code, None, mine).work(control)

        def done(translation) -> None:
            if translation is None:
                self.dialog.hide()
                self.window.notify("The customer writes in your language, or too little to tell: "
                                   "nothing to translate.", "info")
            else:
                self.dialog.show_translation(translation)

        return Job(work, "Translating", on_done=done, lane="assist")

    def _send(self, text: str) -> None:
        self.window.send_from_composer(text)
