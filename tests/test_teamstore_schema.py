"""The team store's schema on a real PostgreSQL: init and migrations, versions, roles, row-level security."""
from __future__ import annotations

import json
import subprocess
import sys

import psycopg
import pytest

from copilot.teamstore.config import StoreConfig, connect
from copilot.teamstore.errors import TeamStoreError
from copilot.teamstore.schema import MIGRATIONS, SCHEMA_VERSION, init_store
from copilot.teamstore.sync import TeamSync
from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD
from tests.review_builders import careful_log
from tests.teamstore_helpers import PASSWORD, drop_store, new_store
from tests.usage_log_builders import T0


def copilot(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], capture_output=True, text=True, input=input,
                          timeout=120)


@pytest.fixture
def empty_store(pg_cluster):
    store = new_store(pg_cluster, initialise=False)
    yield store
    drop_store(store)


def test_init_creates_then_reports_up_to_date_and_makes_logins(empty_store):
    admin = empty_store.cluster.url(SUPERUSER, SUPERUSER_PASSWORD, empty_store.dbname)
    first = copilot("teamdb", "init", "--db", admin, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) | {"summary": ""} == {
        "store": f"postgresql://{SUPERUSER}@{empty_store.cluster.host}:{empty_store.cluster.port}/{empty_store.dbname}",
        "action": "init", "schema_before": None, "schema": SCHEMA_VERSION, "summary": ""}
    again = copilot("teamdb", "init", "--db", admin)
    assert again.returncode == 0 and "up to date" in again.stdout
    with empty_store.admin() as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'copilot'")}
        partitions = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'copilot.events'::regclass"
                                  ).fetchone()[0]
    assert {"sessions", "events", "chats", "sync_marks", "session_days", "session_load", "escalation_effort"} <= tables
    assert partitions >= 5  # the default partition and the months around now

    made = copilot("teamdb", "user", "--db", admin, "--agent", "zoe", "--password-stdin", input="zoe-pw\n")
    assert made.returncode == 0, made.stderr
    login = copilot("teamdb", "login", "--db", empty_store.url("zoe"), "--password-stdin", input="zoe-pw\n")
    assert login.returncode == 0 and "accepted" in login.stdout, login.stderr
    wrong = copilot("teamdb", "login", "--db", empty_store.url("zoe"), "--password-stdin", input="nope\n")
    assert wrong.returncode == 1 and "refused the password for 'zoe'" in wrong.stderr
    assert "nope" not in wrong.stderr + wrong.stdout


def test_a_migration_that_fails_leaves_the_store_at_its_old_version(team_store):
    config = StoreConfig.parse(team_store.cluster.url(SUPERUSER, None, team_store.dbname))

    def v2(cur):
        cur.execute("ALTER TABLE copilot.sessions ADD COLUMN shift_label text")

    def v3_broken(cur):
        cur.execute("ALTER TABLE copilot.no_such_table ADD COLUMN x int")

    with connect(config, SUPERUSER_PASSWORD) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            init_store(conn, config.target, {**MIGRATIONS, 2: v2, 3: v3_broken})
    with team_store.admin() as conn:
        assert conn.execute("SELECT value FROM copilot.meta WHERE key = 'schema_version'").fetchone()[0] == "1"
        assert conn.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'sessions' "
                            "AND column_name = 'shift_label'").fetchone()[0] == 0
    with connect(config, SUPERUSER_PASSWORD) as conn:
        assert init_store(conn, config.target, {**MIGRATIONS, 2: v2}) == (1, 2)


def test_a_store_from_a_newer_version_is_refused_everywhere_and_left_alone(team_store, tmp_path):
    with team_store.admin() as conn:
        conn.execute("UPDATE copilot.meta SET value = '7' WHERE key = 'schema_version'")
    admin = team_store.cluster.url(SUPERUSER, SUPERUSER_PASSWORD, team_store.dbname)
    init = copilot("teamdb", "init", "--db", admin)
    assert init.returncode == 1
    assert "has schema v7, newer than this app understands (v1); update Agent Copilot" in init.stderr
    log = careful_log(tmp_path / "ann.sqlite", "ann")
    report = team_store.sync("ann", log).run_once()
    assert not report.ok and report.error_kind == "newer" and "schema v7" in report.error
    review = copilot("review", "--db", team_store.url("lee", PASSWORD), "--json")
    assert review.returncode == 1 and "schema v7, newer" in review.stderr
    assert team_store.count("events") == 0
    with team_store.admin() as conn:
        assert conn.execute("SELECT value FROM copilot.meta WHERE key = 'schema_version'").fetchone()[0] == "7"


def _as(store, user: str):
    return psycopg.connect(store.url(user, PASSWORD), autocommit=True)


def test_an_agent_cannot_read_or_forge_another_agents_rows(team_store, tmp_path):
    for agent in ("ann", "bo"):
        report = team_store.sync(agent, careful_log(tmp_path / f"{agent}.sqlite", agent, T0)).run_once()
        assert report.ok and report.total > 100, report.error
    tables = ("sessions", "events", "chats", "sync_marks", "session_days", "session_load", "escalation_effort")
    with team_store.admin() as conn:
        ann_session = conn.execute("SELECT uuid FROM copilot.sessions WHERE agent = 'ann'").fetchone()[0]
        bo_rows = {t: conn.execute(f"SELECT count(*) FROM copilot.{t} WHERE agent = 'bo'").fetchone()[0] for t in tables}
    assert bo_rows["events"] > 100 and bo_rows["session_days"] == 1

    with _as(team_store, "bo") as bo:
        for table in tables:  # reading: only their own rows, in every table
            agents = {r[0] for r in bo.execute(f"SELECT DISTINCT agent FROM copilot.{table}")}
            assert agents <= {"bo"}, table
        assert bo.execute("SELECT count(*) FROM copilot.events").fetchone()[0] == bo_rows["events"]
        # forging: rows under another agent's name are refused by the policy...
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bo.execute("INSERT INTO copilot.events (agent, session, source, row_id, ts) "
                       "VALUES ('ann', %s, 'messages', 999999, %s)", (ann_session, T0))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            bo.execute("INSERT INTO copilot.sessions (uuid, agent, started_at) VALUES (gen_random_uuid(), 'ann', 1)")
        # ...and so are rows under their own name slipped into another agent's session
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            bo.execute("INSERT INTO copilot.events (agent, session, source, row_id, ts) "
                       "VALUES ('bo', %s, 'messages', 999999, %s)", (ann_session, T0))
        # another agent's session cannot be taken over, changed or emptied
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bo.execute("INSERT INTO copilot.sessions (uuid, agent, started_at) VALUES (%s, 'bo', 1) "
                       "ON CONFLICT (uuid) DO UPDATE SET ended_at = 2", (ann_session,))
        assert bo.execute("UPDATE copilot.sessions SET ended_at = 0 WHERE agent = 'ann'").rowcount == 0
        assert bo.execute("DELETE FROM copilot.session_days WHERE agent = 'ann'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bo.execute("DELETE FROM copilot.events")  # raw records: no one deletes, not even their own
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bo.execute("SELECT count(*) FROM copilot.events_other")  # partitions only through the table

    with _as(team_store, "lee") as lee:  # the lead reads everyone, writes nothing
        assert {r[0] for r in lee.execute("SELECT DISTINCT agent FROM copilot.events")} == {"ann", "bo"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            lee.execute("INSERT INTO copilot.sessions (uuid, agent, started_at) VALUES (gen_random_uuid(), 'lee', 1)")
    with team_store.admin() as conn:
        after = {t: conn.execute(f"SELECT count(*) FROM copilot.{t} WHERE agent = 'ann'").fetchone()[0] for t in tables}
        assert conn.execute("SELECT ended_at FROM copilot.sessions WHERE uuid = %s", (ann_session,)).fetchone()[0]
    assert after["events"] > 100 and after["session_days"] == 1


def test_a_sync_as_another_user_sends_nothing_of_theirs(team_store, tmp_path):
    """The app sends only the sessions of the store user's own agent name, and says what it left."""
    log = careful_log(tmp_path / "shared.sqlite", "ann", T0)
    report = TeamSync(team_store.config("bo"), log, password=PASSWORD).run_once()
    assert report.ok and report.total == 0
    assert report.other_agents == {"ann": 1}
    assert "1 session(s) of 'ann' not sent" in report.summary()
    assert team_store.count("events") == 0


def test_partitions_are_made_for_the_months_a_batch_needs(team_store, tmp_path):
    old = T0 - 400 * 86400  # more than a year before: no partition made by init
    report = team_store.sync("ann", careful_log(tmp_path / "ann.sqlite", "ann", old)).run_once()
    assert report.ok, report.error
    with team_store.admin() as conn:
        where = conn.execute("SELECT DISTINCT tableoid::regclass::text FROM copilot.events").fetchall()
    assert where == [("copilot.events_2024_11",)]


def test_init_needs_the_right_to_make_roles(team_store, empty_store):
    # an agent's login may not set up a store
    result = copilot("teamdb", "init", "--db", empty_store.url("ann", PASSWORD))
    assert result.returncode == 1
    assert "refused" in result.stderr or "permission denied" in result.stderr


def test_bad_store_urls_are_refused_before_connecting():
    for url, words in (("mysql://x@y/z", "must start with postgresql://"),
                       ("postgresql://a@h:notaport/d", "port must be a number"), ("postgresql://a@h/d?sslmode=maybe", "sslmode must be one of")):
        result = copilot("sync", "--db", url)
        assert result.returncode == 2 and words in result.stderr, result.stderr
    with pytest.raises(TeamStoreError, match="sslmode must be one of"):
        StoreConfig.parse("postgresql://a@h/d", "sometimes")
