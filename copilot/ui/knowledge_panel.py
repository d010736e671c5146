"""The Knowledge panel (Ctrl+K): search the team's saved replies and articles as you type, read one,
insert a saved reply into the composer with its placeholders filled from the chat in focus.

With an empty search box it lists the best three items for the chat in focus. Everything shown is
plain text (titles, snippets, bodies are never interpreted as HTML). Searches run on the background
helper (copilot/knowledge/jobs.py); an answer to an older keystroke is dropped.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMenu, QPlainTextEdit, QPushButton, QVBoxLayout)

KIND_LABEL = {"reply": "Saved reply", "article": "Article"}


class KnowledgePanel(QDialog):
    search_changed = Signal(str)  # the text in the search box, on every keystroke
    insert_requested = Signal(str)  # an item id: put this saved reply into the composer
    item_selected = Signal(str)  # an item id: show its full text
    import_requested = Signal(str)  # a file or folder to import ("" for the shipped sample)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Knowledge")
        self.setModal(False)
        self.resize(560, 520)
        self.search = QLineEdit(placeholderText="Search saved replies and articles…")
        self.search.setClearButtonEnabled(True)
        self.heading = QLabel("")
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.preview = QPlainTextEdit(readOnly=True)
        self.preview.setPlaceholderText("Select an item to read it.")
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.insert_button = buttons.addButton("&Insert into reply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.insert_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.hide)
        # Import from here too (the same as `copilot knowledge import`): a new team starts empty.
        self.import_button = QPushButton("Import…")
        menu = QMenu(self.import_button)
        menu.addAction("A folder of Markdown or HTML files…", self._choose_folder)
        menu.addAction("A file (CSV, Chatwoot or Zendesk JSON)…", self._choose_file)
        menu.addAction("The sample knowledge base (a fictional shop)", lambda: self.import_requested.emit(""))
        self.import_button.setMenu(menu)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        for widget in (self.search, self.heading, self.results, self.preview, self.status, buttons):
            layout.addWidget(widget)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.search.textChanged.connect(self.search_changed)
        self.search.returnPressed.connect(self._insert_current)
        self.results.currentItemChanged.connect(self._selected)
        self.results.itemActivated.connect(lambda item: self._insert_current())
        self.insert_button.clicked.connect(self._insert_current)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of saved replies and articles")
        if folder:
            self.import_requested.emit(folder)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Saved replies or articles", "",
                                              "Knowledge files (*.csv *.json *.md *.html *.htm *.txt);;All files (*)")
        if path:
            self.import_requested.emit(path)

    def open_for_chat(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()
        self.search.selectAll()

    def show_hits(self, hits: list, heading: str) -> None:
        """Titles and snippets, as plain text; the first is selected."""
        self.heading.setText(heading)
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{KIND_LABEL.get(hit.kind, hit.kind)} · {hit.title}\n{hit.snippet}")
            item.setData(Qt.ItemDataRole.UserRole, hit.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, hit.kind)
            item.setToolTip(hit.url or hit.id)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        else:
            self.preview.clear()
            self.insert_button.setEnabled(False)

    def show_item(self, text: str) -> None:
        self.preview.setPlainText(text)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def current_id(self) -> str:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def _selected(self, item: QListWidgetItem | None) -> None:
        is_reply = item is not None and item.data(Qt.ItemDataRole.UserRole + 1) == "reply"
        self.insert_button.setEnabled(is_reply)
        if item is not None:
            self.item_selected.emit(item.data(Qt.ItemDataRole.UserRole))

    def _insert_current(self) -> None:
        item = self.results.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole + 1) == "reply":
            self.insert_requested.emit(item.data(Qt.ItemDataRole.UserRole))
