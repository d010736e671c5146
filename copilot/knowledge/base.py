"""The knowledge base as the app uses it: import, search, the best items for a chat, saved replies filled.

    kb = KnowledgeBase.open()                       # the index in the data directory
    kb.import_paths(["help/", "macros.json"])       # -> ImportReport
    kb.search("refund paypal", limit=10)            # -> [Hit]  (search as you type: ≤ 50 ms p95 on 10,000)
    kb.top_for(conversation, diagnosis)             # -> the best three for the chat in focus
    kb.fill(kb.get(hit.id), conversation, agent_name="Sam")   # -> Filled (text, missing, unknown, ready)

Every call reads or writes the SQLite file: call them off the UI thread (background.py does).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from copilot.assist import slots
from copilot.assist.engine import Conversation
from copilot.core.suggestion import Diagnosis
from copilot.knowledge import placeholders
from copilot.knowledge.importer import Progress, import_paths
from copilot.knowledge.items import ImportReport, Item
from copilot.knowledge.search import Hit, Searcher, query_terms
from copilot.knowledge.store import Store

TOP = 3
QUERY_TURNS = 3  # the customer's latest turns make the query for the chat in focus


def default_path() -> Path:
    from copilot.paths import data_dir

    return data_dir() / "knowledge.sqlite"


def chat_values(conversation: Conversation, agent_name: str = "", team_name: str = "",
                conversation_ref: str = "") -> dict[str, str]:
    """What the chat says, keyed as placeholders.fill expects."""
    found = slots.extract_turns((t.sender, t.text) for t in conversation.turns)
    full = (conversation.customer_name or found.get("customer_name", "")).strip()
    first = slots.first_name(full)
    rest = full.split()[1:] if first else []
    values = {**found, "customer_name": full if first else "", "customer_first_name": first,
              "customer_last_name": rest[-1] if rest and slots.first_name(rest[-1]) else "",
              "agent_name": agent_name.strip(), "agent_first_name": slots.first_name(agent_name),
              "team_name": team_name, "conversation_id": conversation_ref}
    return {k: v for k, v in values.items() if v}


def chat_query(conversation: Conversation) -> tuple[str, str]:
    """(query, context): the customer's latest turn that says something (two content words or more),
    and the turns around it, which count half."""
    texts = [t for t in conversation.customer_texts if t.strip()][-QUERY_TURNS:]
    saying = [t for t in texts if len(query_terms(t)) >= 2]
    query = (saying or texts or [""])[-1]
    return query[:2000], " ".join(t for t in texts if t is not query)[:2000]


class KnowledgeBase:
    def __init__(self, store: Store):
        self.store = store
        self.searcher = Searcher(store)

    @classmethod
    def open(cls, path: Path | str | None = None) -> "KnowledgeBase":
        """Raises store.StoreError with a message for the user when the file cannot be used."""
        return cls(Store(path or default_path()))

    def import_paths(self, paths: Iterable[str | Path], default_kind: str | None = None,
                     progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False) -> ImportReport:
        return import_paths(self.store, paths, default_kind, progress, cancelled)

    def search(self, query: str, limit: int = 10, kind: str | None = None) -> list[Hit]:
        return self.searcher.search(query, limit=limit, kind=kind)

    def top_for(self, conversation: Conversation, diagnosis: Diagnosis | None = None, limit: int = TOP) -> list[Hit]:
        """The best items for the chat in focus: its latest customer turns as the query, items tagged
        with the confident diagnosis moved up."""
        query, context = chat_query(conversation)
        if not query:
            return []
        boost = (diagnosis.best.category,) if diagnosis and not diagnosis.abstained and diagnosis.best else ()
        return self.searcher.search(query + " ", limit=limit, boost_tags=boost, context=context)

    def get(self, item_id: str) -> Item | None:
        return self.store.get(item_id)

    def fill(self, item: Item, conversation: Conversation, agent_name: str = "", team_name: str = "",
             conversation_ref: str = "") -> placeholders.Filled:
        """The item's text with its placeholders filled from the chat; what is left is listed."""
        values = chat_values(conversation, agent_name, team_name, conversation_ref)
        return placeholders.fill(item.body, values)

    def counts(self) -> dict[str, int]:
        return self.store.count()

    def close(self) -> None:
        self.store.close()
