"""The usage log's schema: creation, migrations, and refusing files it must not touch."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from copilot.usage import SCHEMA_VERSION, UsageLog, UsageLogError
from copilot.usage.schema import APP_MARKER, APPLICATION_ID, MIGRATIONS, TABLES, migrate, stored_version
from copilot.usage.views import VIEWS


def open_log(path: Path) -> UsageLog:
    return UsageLog.open(path, agent="ann", app_version="0.1.0", engine="offline")


def test_new_file_has_every_table_view_index_and_version(tmp_path):
    path = tmp_path / "usage.sqlite"
    open_log(path).close()
    db = Database(path)
    assert set(TABLES) | {"meta"} <= set(db.table_names())
    assert set(VIEWS) <= set(db.view_names())
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert dict(db.execute("select key, value from meta").fetchall())["schema_version"] == str(SCHEMA_VERSION)
    assert db.journal_mode == "wal"
    for table in TABLES[2:]:
        assert {"session_id", "ts"} <= set(db[table].columns_dict), table
        assert any(ix.columns[:2] == ["session_id", "ts"] for ix in db[table].indexes), table
    assert "text" in db["messages"].columns_dict  # present, but empty unless store_text


def test_reopening_keeps_rows_and_adds_a_session(tmp_path):
    path = tmp_path / "usage.sqlite"
    for _ in range(2):
        with open_log(path) as usage:
            usage.record("message", 1.0, chat_id="c1", message_id=1, sender="customer", length=3)
    db = Database(path)
    assert db["sessions"].count == 2 and db["agents"].count == 1 and db["messages"].count == 2


def make_v0_file(path: Path) -> None:
    """The pre-release layout: meta with version 0 and a bare events table with a row in it."""
    db = Database(path)
    db["meta"].insert_all([{"key": "app", "value": APP_MARKER}, {"key": "schema_version", "value": "0"}], pk="key")
    db["events"].insert({"kind": "legacy", "ts": 5.0, "fields": "{}"})
    db.close()


def test_v0_file_is_migrated_and_its_rows_kept(tmp_path):
    path = tmp_path / "usage.sqlite"
    make_v0_file(path)
    with open_log(path) as usage:
        usage.record("chat_opened", 6.0, chat_id="c1", customer="Bo", scenario_id="s", concurrent=1)
    db = Database(path)
    assert stored_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = list(db["events"].rows)
    assert rows[0]["kind"] == "legacy" and rows[0]["session_id"] is None
    assert db["chats"].count == 1


def test_migrations_apply_in_order_and_a_failing_one_rolls_back(tmp_path):
    db = Database(tmp_path / "m.sqlite")
    applied: list[int] = []

    def step(version):
        def run(db):
            applied.append(version)
            db[f"t{version}"].create({"x": int})
        return run

    def broken(db):
        db["half_done"].create({"x": int})
        raise RuntimeError("migration bug")

    assert migrate(db, {2: step(2), 1: step(1)}) == 2
    assert applied == [1, 2]
    assert migrate(db, {1: step(1), 2: step(2)}) == 2 and applied == [1, 2]  # nothing to redo
    with pytest.raises(RuntimeError):
        migrate(db, {1: step(1), 2: step(2), 3: step(3), 4: broken})
    assert stored_version(db) == 2  # all of 3..4 rolled back together
    assert "t3" not in db.table_names() and "half_done" not in db.table_names()
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_real_migrations_are_keyed_up_to_the_schema_version():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def newer_version_file(path: Path) -> None:
    open_log(path).close()
    db = Database(path)
    db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION + 1)}, pk="key")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()


def other_app_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('keep me')")
    conn.commit()
    conn.close()


def other_app_in_wal_mode(path: Path) -> None:
    """Another app's WAL database with uncheckpointed pages: a careless open would checkpoint them."""
    other_app_file(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("insert into notes (body) values ('in the wal')")
    conn.commit()
    assert path.with_name(path.name + "-wal").stat().st_size > 0  # exercises the mode=ro path
    # Left open on purpose while we try: closing would checkpoint. Stored so the test can close it.
    other_app_in_wal_mode.conn = conn


def corrupted_file(path: Path) -> None:
    open_log(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the 100-byte header
    path.write_bytes(bytes(data))


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes; a -shm file only by presence (SQLite's lock index, it holds no data)."""
    return {p.name: None if p.name.endswith("-shm") else p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("make, message", [
    (newer_version_file, "newer Agent Copilot"),
    (other_app_file, "another application"),
    (other_app_in_wal_mode, "another application"),
    (corrupted_file, "damaged"),
    (lambda p: p.write_bytes(b"hello, this is a text file\n" * 50), "not a SQLite database"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 10), "damaged"),  # truncated header
])
def test_refused_files_are_left_byte_for_byte(tmp_path, make, message):
    path = tmp_path / "usage.sqlite"
    make(path)
    before = snapshot(tmp_path)
    with pytest.raises(UsageLogError, match=message):
        open_log(path)
    assert snapshot(tmp_path) == before
    conn = getattr(other_app_in_wal_mode, "conn", None)
    if conn is not None:
        conn.close()
        other_app_in_wal_mode.conn = None


def test_an_empty_file_is_set_up(tmp_path):
    path = tmp_path / "usage.sqlite"
    path.touch()
    open_log(path).close()
    assert stored_version(Database(path)) == SCHEMA_VERSION
