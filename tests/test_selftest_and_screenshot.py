"""End to end through the command line: the self-test's figures agree with the usage log it wrote,
and the screenshot command renders the real window."""
from __future__ import annotations

import sqlite3
import struct
import subprocess
import sys

import pytest


def run_copilot(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["careful", "passive", "overloaded"])
def test_selftest_shift_works_and_log_agrees(selftest_shifts, policy):
    shift = selftest_shifts[policy]
    assert shift.process.returncode == 0, shift.stderr[-2000:]
    summary, log = shift.summary, shift.log
    assert summary["ok"] and all(summary["checks"].values())
    assert summary["chats_handled"] >= 30 and summary["peak_concurrency"] >= 5
    assert summary["accepted"] > 0
    if policy != "passive":
        assert summary["edited"] > 0 and summary["rejected"] > 0 and summary["own_replies"] > 0

    # Read the log independently and compare with the printed figures.
    db = sqlite3.connect(log)
    decisions = dict(db.execute("SELECT decision, count(*) FROM decisions GROUP BY decision").fetchall())
    assert decisions.get("accepted", 0) == summary["accepted"]
    assert decisions.get("edited", 0) == summary["edited"]
    assert decisions.get("rejected", 0) == summary["rejected"]
    assert db.execute("SELECT count(*) FROM suggestions").fetchone()[0] == summary["suggestions_shown"]
    assert db.execute("SELECT count(*) FROM chats").fetchone()[0] == summary["chats_opened"]
    messages = summary["messages"]
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == messages["customer"] + messages["agent"]
    assert db.execute("SELECT name FROM agents").fetchone()[0] == f"{policy}-agent"
    if policy != "passive":
        edited = db.execute("SELECT min(edit_distance), max(edit_distance) FROM decisions WHERE decision='edited'").fetchone()
        assert 0 < edited[0] <= edited[1] < 1
    escalations = summary["escalations"]
    assert db.execute("SELECT count(*) FROM escalations").fetchone()[0] == escalations["detected"]
    accepted = db.execute("SELECT max(edit_distance) FROM decisions WHERE decision='accepted'").fetchone()[0]
    assert accepted == 0
    assert db.execute("SELECT max(open_chats) FROM concurrency").fetchone()[0] == summary["peak_concurrency"]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_selftest_rejects_bad_arguments():
    result = run_copilot("selftest", "--policy", "reckless")
    assert result.returncode != 0 and "reckless" in result.stderr


def test_screenshot_writes_a_real_png(tmp_path):
    out = tmp_path / "shot.png"
    result = run_copilot("screenshot", str(out), "--chats", "4", "--size", "1200x760")
    assert result.returncode == 0, result.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 760)
    assert len(data) > 20_000  # a rendered window, not a blank image
