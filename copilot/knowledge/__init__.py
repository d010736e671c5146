"""The team's own knowledge (Qt-free): saved replies and help articles, imported into a local index.

    from copilot.knowledge.base import KnowledgeBase
    kb = KnowledgeBase.open()                          # knowledge.sqlite in the data directory
    kb.import_paths(["help/", "macros.json"])          # ImportReport: taken, skipped and why
    kb.search("refund pay")                            # [Hit]: search as you type
    kb.top_for(conversation, diagnosis)                # the best three for the chat in focus
    kb.fill(kb.get(hit.id), conversation)              # Filled: text, missing, unknown, ready

items.py (what is stored, the report), read_files.py / read_csv.py / read_helpdesk.py (the formats),
importer.py (folders, batches, re-import in place), store.py (SQLite FTS5 + vectors), search.py
(fusion), placeholders.py (filling saved replies), usage.py (usage-log records), jobs.py (the
window's background work), wiring.py (engines). See docs/knowledge.md.
"""
