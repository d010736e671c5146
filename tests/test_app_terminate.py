"""The real app, asked to stop by SIGTERM (logout, `kill`), ends its session and closes its log."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def test_sigterm_ends_the_session_cleanly(tmp_path):
    config, log = tmp_path / "config", tmp_path / "usage.sqlite"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"agent_name": "Tess"}))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COPILOT_CONFIG_DIR=str(config),
               COPILOT_DATA_DIR=str(tmp_path / "data"))
    app = subprocess.Popen([sys.executable, "-m", "copilot", "run", "--usage-log", str(log), "--speed", "30",
                            "--rate", "20", "--seed", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the shift has logged a few chats
            if log.exists():
                try:
                    with sqlite3.connect(f"{log.as_uri()}?mode=ro", uri=True) as conn:
                        if conn.execute("SELECT count(*) FROM chats").fetchone()[0] >= 2:
                            break
                except sqlite3.OperationalError:
                    pass  # the schema is still being created
            assert app.poll() is None, app.stderr.read().decode()
            time.sleep(0.2)
        else:
            pytest.fail("the app logged no chats within 2 minutes")
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=60) == 0, app.stderr.read().decode()
    finally:
        if app.poll() is None:
            app.kill()
    with sqlite3.connect(log) as conn:
        ended = conn.execute("SELECT count(*), count(ended_at) FROM sessions").fetchone()
    conn.close()
    assert ended == (1, 1)
    assert not list(tmp_path.glob("usage.sqlite.pending-*"))  # nothing left to replay
