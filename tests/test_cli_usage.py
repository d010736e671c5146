"""`copilot usage`: JSON and table output, filters, and refusing bad files without touching them."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from copilot.__main__ import main
from copilot.usage.schema import SCHEMA_VERSION
from tests.usage_log_builders import T0, open_log, write_drafts, write_known_session


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", "usage", *map(str, args)], capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def team_log(tmp_path) -> Path:
    path = tmp_path / "team.sqlite"
    write_known_session(path, "ann")
    log = open_log(path, "pat", T0 + 3600)
    log.close(ended_at=write_drafts(log, T0 + 3605, "a" * 30, 0.1))
    return path


def test_json_has_metrics_and_flags(team_log, capsys):
    assert main(["usage", "--db", str(team_log), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ann, pat = report["windows"]
    assert (ann["agent"], ann["decisions"], ann["accepted"], ann["mean_concurrency"]) == ("ann", 4, 1, 1.2)
    assert ann["flags"]["over_reliance"]["judged"] is False
    assert pat["flags"]["over_reliance"]["raised"] and pat["fast_acceptance_share"] == 1.0
    assert report["raised"] == [{"agent": "pat", "window": "session", "key": "session 2", "kind": "over_reliance",
                                 "basis": "thresholds", "explanation": pat["flags"]["over_reliance"]["explanation"]}]
    assert report["thresholds"]["high_acceptance"] == 0.8 and report["sources"] == [str(team_log)]


def test_agent_since_until_and_window_filters(team_log, capsys):
    assert main(["usage", "--db", str(team_log), "--agent", "pat", "--since", "2026-01-01T00:30",
                 "--until", str(T0 + 7200), "--window", "day", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    window, = report["windows"]
    assert (window["agent"], window["key"], window["decisions"]) == ("pat", "2026-01-01", 30)
    assert report["since"] == T0 + 1800 and report["until_utc"] == "2026-01-01T02:00:00Z"
    # The team reference still sees ann, although only pat is reported.
    assert "the team (1 other agent(s))" not in window["flags"]["over_reliance"]["explanation"]  # ann: 3 used < 20


def test_table_output(team_log):
    result = run("--db", team_log)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["agent", "window", "from", "(UTC)"]
    assert lines[2].startswith("ann") and lines[3].startswith("pat") and lines[3].endswith("over-reliance")
    assert "1 flag(s) raised:" in result.stdout and "* pat, session 2: Passive over-reliance: 30 of 30" in result.stdout


def test_thresholds_from_the_command_line(team_log, capsys):
    assert main(["usage", "--db", str(team_log), "--threshold", "fast_acceptance=1.01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["raised"] == []
    assert main(["usage", "--db", str(team_log), "--threshold", "nonsense=1"]) == 2
    assert "unknown threshold 'nonsense'" in capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith("-shm")}


def newer(path: Path) -> None:
    write_known_session(path)
    db = Database(path)
    db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION + 1)}, pk="key")
    db.close()


def corrupted(path: Path) -> None:
    write_known_session(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * 3996
    path.write_bytes(bytes(data))


def damaged_deep_inside(path: Path) -> None:
    """The schema is readable but a table's page is not: noticed only while computing the metrics."""
    write_known_session(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # everything into the main file
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'usage_buckets'").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page:(root - 1) * page + 64] = b"\x0d" + b"\xff" * 63  # a page header that makes no sense
    path.write_bytes(bytes(data))


def other_app(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("create table notes (body text)")
    conn.close()


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no usage log at"),
    (lambda p: p.write_text("not a database\n" * 100), "not a SQLite database"),
    (newer, "newer Agent Copilot"),
    (corrupted, "damaged"),
    (damaged_deep_inside, "could not be read (database disk image is malformed); it may be damaged"),
    (other_app, "another application"),
    (lambda p: p.touch(), "empty"),
])
def test_bad_files_are_refused_and_left_alone(tmp_path, make, message):
    path = tmp_path / "usage.sqlite"
    make(path)
    before = snapshot(tmp_path)
    result = run("--db", path)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_bad_arguments(team_log):
    assert run("--db", team_log, "--since", "last tuesday").returncode == 2
    assert run("--db", team_log, "--since", "2026-01-02", "--until", "2026-01-01").returncode == 2
    result = run("--db", team_log, "--agent", "nobody")
    assert result.returncode == 1 and "No usage recorded for agent 'nobody'" in result.stderr
    assert run("--window", "month", "--db", team_log).returncode == 2


def test_reads_a_log_the_app_is_writing_without_changing_it(tmp_path):
    path = tmp_path / "live.sqlite"
    log = open_log(path, "pat", T0)
    write_drafts(log, T0 + 5, "a" * 25, 0.1)
    assert log.flush()  # committed to the write-ahead log, not yet checkpointed into the file
    before = path.read_bytes()
    result = run("--db", path, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["windows"][0]["accepted"] == 25
    assert path.read_bytes() == before
    log.record("focus", T0 + 900, chat_id="c1", previous_chat_id="", open_chats=1)
    assert log.close()  # the app carries on and closes normally
    assert Database(path)["focus_changes"].count == 1
