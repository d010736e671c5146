"""When the team store fails: a clear message, nothing lost, nothing counted twice.

Server down, a wrong password, TLS refused, a connection cut mid-batch, an app killed mid-pass
and the same batches sent again, a server away for a while and back. The newer-schema case is in
test_teamstore_schema.py. All against a real PostgreSQL.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from copilot.teamstore.config import StoreConfig
from copilot.teamstore.sync import TeamSync
from tests.cutting_proxy import CuttingProxy
from tests.pg_cluster import PgCluster, free_port, missing
from tests.review_builders import careful_log, passive_log
from tests.teamstore_helpers import PASSWORD, drop_store, new_store
from tests.test_teamstore_sync import local_counts, store_counts
from tests.usage_log_builders import T0

DAY = 86400.0


def test_server_down_says_so_keeps_the_log_and_counts_how_far_behind(tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    before = log.read_bytes()
    config = StoreConfig.parse(f"postgresql://ann@127.0.0.1:{free_port()}/copilot")
    sync = TeamSync(config, log, password=PASSWORD, clock=lambda: T0 + 4 * 3600)
    report = sync.run_once()
    assert not report.ok and report.error_kind == "unreachable"
    assert f"cannot reach the team store at 127.0.0.1:{config.port}/copilot (connection refused)" == report.error
    assert "Nothing was lost" in report.summary()
    status = sync.status()
    assert status.text(now=T0 + 4 * 3600) == (f"team store: 4 h behind · cannot reach the team store at "
                                              f"127.0.0.1:{config.port}/copilot (connection refused)")
    assert sync.next_delay() == 60 and (sync.run_once(), sync.next_delay())[1] == 120  # patient: passes thin out
    # a restart of the app knows how far behind it is without reaching the server
    restarted = TeamSync(config, log, password=PASSWORD)
    assert restarted.status().oldest_unsent == T0 and "cannot reach" in restarted.status().text()
    assert log.read_bytes() == before  # the local log is only read


def test_a_wrong_password_is_refused_plainly_and_never_shown(team_store, tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    report = team_store.sync("ann", log, password="not-the-password").run_once()
    assert not report.ok and report.error_kind == "auth"
    assert report.error == "the team store refused the password for 'ann'"
    assert team_store.count("events") == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no PGPASSWORD to fall back on
    none_saved = subprocess.run([sys.executable, "-m", "copilot", "sync", "--db", team_store.url("ann"), "--log",
                                 str(log)], capture_output=True, text=True, timeout=60, env=env)
    assert none_saved.returncode == 1
    assert "needs a password for 'ann'" in none_saved.stderr or "refused the password" in none_saved.stderr


def test_tls_modes_are_honoured(team_store, tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    required = TeamSync(team_store.config("ann", "require"), log, password=PASSWORD).run_once()
    assert required.ok, required.error
    verified = TeamSync(team_store.config("ann", "verify-full"), log, password=PASSWORD, full=True).run_once()
    assert not verified.ok and verified.error_kind == "tls"
    assert "certificate" in verified.error and "sslmode=verify-full" in verified.error


def test_a_connection_cut_mid_batch_keeps_whole_batches_and_the_next_pass_completes(team_store, tmp_path):
    log = passive_log(tmp_path / "ann.sqlite", "ann", T0)
    for day in (1, 2, 3):
        passive_log(log, "ann", T0 + day * DAY)
    proxy = CuttingProxy(team_store.cluster.host, team_store.cluster.port, cut_after=60_000)
    try:
        cut = TeamSync(StoreConfig.parse(f"postgresql://ann@127.0.0.1:{proxy.port}/{team_store.dbname}", "disable"),
                       log, password=PASSWORD, batch_rows=50).run_once()
    finally:
        proxy.close()
    assert proxy.cuts == 1 and not cut.ok and cut.error_kind == "lost"
    assert "nothing from the unfinished batch was kept" in cut.error
    sent = team_store.count("events")
    assert 0 < sent < sum(local_counts(log).values())
    with team_store.admin() as conn:  # what arrived is whole batches: every row up to each mark, none beyond
        for session, source, mark in conn.execute("SELECT session, source, last_row_id FROM copilot.sync_marks "
                                                  "WHERE source NOT LIKE 'chats%'"):
            rows = conn.execute("SELECT count(*), max(row_id) FROM copilot.events WHERE session = %s AND source = %s",
                                (session, source)).fetchone()
            assert rows[1] == mark
    after = team_store.sync("ann", log).run_once()
    assert after.ok, after.error
    assert store_counts(team_store) == local_counts(log)


def test_a_sync_killed_mid_pass_then_run_again_counts_every_record_once(team_store, tmp_path):
    log = passive_log(tmp_path / "ann.sqlite", "ann", T0)
    for day in range(1, 8):
        passive_log(log, "ann", T0 + day * DAY)
    command = [sys.executable, "-c", "import sys; from copilot.teamstore.config import StoreConfig; "
               "from copilot.teamstore.sync import TeamSync; "
               f"TeamSync(StoreConfig.parse({team_store.url('ann')!r}), {str(log)!r}, password={PASSWORD!r}, "
               "batch_rows=20).run_once()"]
    child = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while team_store.count("events") < 200 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)  # the app dies mid-pass: a batch may be in flight
    child.wait()
    partial = team_store.count("events")
    assert 0 < partial < sum(local_counts(log).values()) - local_counts(log)["chats"]
    rest = team_store.sync("ann", log, batch_rows=20).run_once()
    assert rest.ok, rest.error
    assert store_counts(team_store) == local_counts(log)

    # the same batches sent again (the store lost its marks, or an app sends from an old state):
    with team_store.admin() as conn:
        conn.execute("DELETE FROM copilot.sync_marks")
        conn.execute("UPDATE copilot.sessions SET fingerprint = NULL")
    again = team_store.sync("ann", log, full=True).run_once()
    assert again.ok and again.total == 0 and again.sessions_sent == 8  # every row offered, none new
    assert store_counts(team_store) == local_counts(log)
    with team_store.admin() as conn:
        assert conn.execute("SELECT count(*) FROM copilot.session_days").fetchone()[0] == 8


@pytest.fixture
def own_cluster():
    """A cluster of the test's own, to stop and start (the shared one stays up for the others)."""
    if missing():
        pytest.skip(missing())
    cluster = PgCluster.start()
    yield cluster
    cluster.stop()


def test_a_store_away_for_days_is_caught_up_when_it_returns(own_cluster, tmp_path):
    store = new_store(own_cluster)
    path = tmp_path / "ann.sqlite"
    careful_log(path, "ann", T0)
    sync = store.sync("ann", path)
    assert sync.run_once().ok
    own_cluster.pause()
    try:
        for day in range(1, 6):  # the app works on for days
            careful_log(path, "ann", T0 + day * DAY)
            away = sync.run_once()
            assert not away.ok and away.error_kind == "unreachable"
        assert sync.status().oldest_unsent == pytest.approx(T0 + DAY)
    finally:
        own_cluster.resume()
    back = sync.run_once()
    assert back.ok and back.sessions_sent == 5, back.error
    assert store_counts(store) == local_counts(path)
    assert sync.status().text() == "team store: up to date"
    drop_store(store)


def test_the_local_log_is_never_written_by_a_sync(team_store, tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    with sqlite3.connect(log) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = log.read_bytes()
    assert team_store.sync("ann", log).run_once().ok
    assert log.read_bytes() == before
