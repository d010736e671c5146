"""The knowledge index on disk: one SQLite file with the items, an FTS5 full-text index and vectors.

SQLite's FTS5 ships inside Python's sqlite3 on Linux, Windows and macOS (python.org builds compile
it in), so the index needs no extra package, persists, and updates one item at a time; a triggered
external-content table keeps the full-text index in step with `items`. Each item's vector (float16)
sits beside it. WAL journaling lets the window search while an import writes. One connection per
thread: sqlite3 connections must not be shared across threads.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from copilot.knowledge.items import Item

SCHEMA_VERSION = 1
APPLICATION_ID = 0x41434B42  # "ACKB": tells our file from other databases
_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS items (
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, title TEXT NOT NULL,
        body TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT '', root TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',
        locale TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL, vector BLOB, imported_at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS items_root ON items (root)",
    # porter: "refunded" finds "refund"; prefix indexes keep search-as-you-type fast
    """CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(title, body, tags, content='items',
        content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER IF NOT EXISTS items_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags); END""",
    """CREATE TRIGGER IF NOT EXISTS items_ad AFTER DELETE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, body, tags)
        VALUES ('delete', old.rowid, old.title, old.body, old.tags); END""",
    """CREATE TRIGGER IF NOT EXISTS items_au AFTER UPDATE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, body, tags)
        VALUES ('delete', old.rowid, old.title, old.body, old.tags);
        INSERT INTO items_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags); END""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
COLUMNS = "id, kind, title, body, tags, source, origin, url, locale"


class StoreError(Exception):
    """The index file cannot be used; the message says why and what to do."""


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False


def row_item(row) -> Item:
    id_, kind, title, body, tags, source, origin, url, locale = row
    return Item(id_, kind, title, body, tuple(tags.split()), source, origin, url, locale)


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        try:
            conn = self.conn()
            app = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if app not in (0, APPLICATION_ID) or (app == 0 and tables and "items" not in tables):
                raise StoreError(f"{self.path} is another application's database, not a knowledge index")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was made by a newer version of the app (index version {version})")
            with conn:
                for sql in _SCHEMA:
                    conn.execute(sql)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except StoreError:
            self.close()
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            self.close()
            raise StoreError(f"{self.path} cannot be used as a knowledge index ({exc}); move it aside "
                             "and import again") from None

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if not fts5_available():
                raise StoreError("this Python's SQLite has no FTS5 full-text module; install a Python from "
                                 "python.org or your system's package manager")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return conn

    # ---- writing -----------------------------------------------------------------------------
    def upsert(self, rows: Iterable[tuple[Item, str, np.ndarray | None]]) -> tuple[int, int, int]:
        """Write (item, root, vector) rows in one transaction; (added, updated, unchanged)."""
        added = updated = unchanged = 0
        now = time.time()
        with self._write_lock, self.conn() as conn:
            for item, root, vector in rows:
                old = conn.execute("SELECT hash, root FROM items WHERE id = ?", (item.id,)).fetchone()
                digest = item.content_hash
                if old is not None and old[0] == digest:
                    unchanged += 1
                    if old[1] != root:
                        conn.execute("UPDATE items SET root = ?, origin = ? WHERE id = ?", (root, item.origin, item.id))
                    continue
                blob = None if vector is None else np.asarray(vector, np.float16).tobytes()
                values = (item.kind, item.title, item.body, " ".join(item.tags), item.source, item.origin, root,
                          item.url, item.locale, digest, blob, now)
                if old is None:
                    conn.execute("INSERT INTO items (kind, title, body, tags, source, origin, root, url, locale, hash, "
                                 "vector, imported_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (*values, item.id))
                    added += 1
                else:
                    conn.execute("UPDATE items SET kind = ?, title = ?, body = ?, tags = ?, source = ?, origin = ?, "
                                 "root = ?, url = ?, locale = ?, hash = ?, vector = ?, imported_at = ? WHERE id = ?",
                                 (*values, item.id))
                    updated += 1
            self._bump(conn)
        return added, updated, unchanged

    def remove_missing(self, root: str, keep: set[str]) -> int:
        """Delete the items last imported from `root` whose ids are not in `keep`."""
        with self._write_lock, self.conn() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM items WHERE root = ?", (root,)) if r[0] not in keep]
            conn.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in ids])
            if ids:
                self._bump(conn)
        return len(ids)

    def clear(self) -> int:
        with self._write_lock, self.conn() as conn:
            n = conn.execute("DELETE FROM items").rowcount
            self._bump(conn)
        return n

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT (key) DO UPDATE "
                     "SET value = CAST(value AS INTEGER) + 1")

    # ---- reading -----------------------------------------------------------------------------
    def generation(self) -> int:
        """Changes whenever items change: readers cache the vectors until it moves."""
        row = self.conn().execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def hashes(self, ids: list[str]) -> dict[str, str]:
        """id -> content hash of those already in the index."""
        found = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            chunk = ids[start:start + 500]
            sql = f"SELECT id, hash FROM items WHERE id IN ({','.join('?' * len(chunk))})"
            found.update(self.conn().execute(sql, chunk).fetchall())
        return found

    def ids_of(self, rowids: list[int]) -> list[str]:
        """Item ids for index row ids, in the same order."""
        if not rowids:
            return []
        sql = f"SELECT rowid, id FROM items WHERE rowid IN ({','.join('?' * len(rowids))})"
        found = dict(self.conn().execute(sql, rowids).fetchall())
        return [found[r] for r in rowids if r in found]

    def get(self, item_id: str) -> Item | None:
        row = self.conn().execute(f"SELECT {COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
        return row_item(row) if row else None

    def count(self) -> dict[str, int]:
        return dict(self.conn().execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, float32 matrix) of every item that has a vector."""
        rows = self.conn().execute("SELECT rowid, vector FROM items WHERE vector IS NOT NULL").fetchall()
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
        size = len(rows[0][1])
        rows = [r for r in rows if len(r[1]) == size]  # vectors of another width (another embedder) are left out
        ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), np.float16).reshape(len(rows), -1)
        return ids, matrix.astype(np.float32)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
