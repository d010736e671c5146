"""The team store's versioned schema: tables, indexes, roles, row-level security, and migrations.

    copilot teamdb init --db postgresql://postgres@db.example.com/copilot

`init_store` creates the schema `copilot` or brings it up to this app's version, in one
transaction (PostgreSQL's DDL is transactional: a failed step leaves the old version). A store
written by a newer app is refused, unchanged, by every command (`check_version`).

Two group roles, which the team's own login roles join (docs/teamstore.md):
- copilot_agent: inserts rows only under their own name (agent = current_user) and reads only
  their own; may not delete raw records. Their review sums are replaced as their sessions grow.
- copilot_lead: reads everything.
`events` is partitioned by month of `ts`; `ensure_partitions` (SECURITY DEFINER, so agents need
no DDL rights) makes the months a batch needs, and init makes the coming ones. Times outside
2000-2099 (or missing, stored as NaN) land in the default partition.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from copilot.teamstore import tables as t
from copilot.teamstore.errors import TeamStoreError

SCHEMA_VERSION = 1
APP_MARKER = "agent-copilot-team-store"
AGENT_ROLE, LEAD_ROLE = "copilot_agent", "copilot_lead"
S = t.SCHEMA
_LOCK = 0x41435453  # advisory lock "ACTS": two inits at once take turns
_OWN = ("sessions", "events", "chats", "sync_marks", "session_days", "day_profiles", "session_load",
        "escalation_effort")
_FK = f'FOREIGN KEY (session, agent) REFERENCES {S}.sessions (uuid, agent) ON DELETE CASCADE'
_OWNER = "agent text NOT NULL, session uuid NOT NULL"

_PROFILE_COLUMNS = tuple(f"p_{name}" for name in t.PROFILED)
Migration = Callable[[object], None]  # gets a psycopg cursor inside the migration's transaction


def _v1_initial(cur) -> None:
    profile = ", ".join(f"p_{name} double precision[] NOT NULL" for name in t.PROFILED)
    for sql in (
        f"CREATE TABLE {S}.sessions (uuid uuid PRIMARY KEY, agent text NOT NULL, "
        "id bigint GENERATED ALWAYS AS IDENTITY UNIQUE, local_id bigint, started_at double precision NOT NULL, "
        "ended_at double precision, span_end double precision, app_version text, engine text, policy text, "
        "stores_text boolean NOT NULL DEFAULT false, fingerprint text, "
        "received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (uuid, agent))",
        f"CREATE INDEX sessions_agent_start ON {S}.sessions (agent, started_at)",
        # ts is NOT NULL (a missing time is NaN) so the unique key always holds; it includes ts
        # because a partitioned table's unique keys must include the partition key.
        f"CREATE TABLE {S}.events (agent text NOT NULL, session uuid NOT NULL, source text NOT NULL, "
        f"row_id bigint NOT NULL, ts double precision NOT NULL, {t.column_list(t.EVENT_COLUMNS)}, {_FK}, "
        "UNIQUE (session, source, row_id, ts)) PARTITION BY RANGE (ts)",
        f"CREATE TABLE {S}.events_other PARTITION OF {S}.events DEFAULT",
        # the review's skill section reads records of a few kinds from the generic ones (practice, blind picks)
        f"CREATE INDEX events_kind ON {S}.events (kind, ts) WHERE source = 'events'",
        f"CREATE TABLE {S}.chats ({_OWNER}, row_id bigint NOT NULL, ts double precision, "
        f"{t.column_list(t.CHAT_COLUMNS_PG)}, PRIMARY KEY (session, row_id), {_FK})",
        f"CREATE TABLE {S}.sync_marks ({_OWNER}, source text NOT NULL, last_row_id bigint NOT NULL, "
        f"PRIMARY KEY (session, source), {_FK})",
        f"CREATE TABLE {S}.session_days ({_OWNER}, day integer NOT NULL, {t.column_list(t.TALLY_COLUMNS)}, "
        f"{t.column_list(t.EXTRAS_COLUMNS)}, nonzero boolean NOT NULL, PRIMARY KEY (session, day), {_FK})",
        f"CREATE INDEX session_days_day ON {S}.session_days (day)",
        # A few kilobytes of arrays a row, read element by element: kept in the row (MAIN, and no
        # moving out before the row is a page) rather than fetched from TOAST at every subscript.
        f"CREATE TABLE {S}.day_profiles ({_OWNER}, day integer NOT NULL, levels double precision[] NOT NULL, "
        f"neg_levels double precision[] NOT NULL, {profile}, PRIMARY KEY (session, day), {_FK}) "
        "WITH (toast_tuple_target = 8160)",
        f"ALTER TABLE {S}.day_profiles "
        + ", ".join(f"ALTER COLUMN {c} SET STORAGE MAIN" for c in ("levels", "neg_levels", *_PROFILE_COLUMNS)),
        f"CREATE TABLE {S}.session_load ({_OWNER}, bucket bigint NOT NULL, {t.column_list(t.LOAD_COLUMNS_PG)}, "
        f"PRIMARY KEY (session, bucket), {_FK})",
        f"CREATE TABLE {S}.escalation_effort ({_OWNER}, escalation_id bigint NOT NULL, "
        f"{t.column_list(t.EFFORT_COLUMNS)}, PRIMARY KEY (session, escalation_id), {_FK})",
        f"CREATE INDEX escalation_effort_at ON {S}.escalation_effort (escalated_at)",
        _ENSURE_PARTITIONS,
    ):
        cur.execute(sql)
    _roles_and_policies(cur)


_ENSURE_PARTITIONS = f"""
CREATE FUNCTION {S}.ensure_partitions(lo double precision, hi double precision) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    month date;
    last date;
    name text;
    made integer := 0;
BEGIN
    IF lo IS NULL OR hi IS NULL OR lo = 'NaN' OR hi = 'NaN' THEN RETURN 0; END IF;
    lo := greatest(lo, 946684800);       -- 2000-01-01: earlier times go to the default partition
    hi := least(hi, 4102444799);         -- 2099-12-31
    IF hi < lo THEN RETURN 0; END IF;
    month := date_trunc('month', to_timestamp(lo) AT TIME ZONE 'UTC')::date;
    last := date_trunc('month', to_timestamp(hi) AT TIME ZONE 'UTC')::date;
    IF last > month + interval '3 years' THEN
        RAISE EXCEPTION 'a batch spans more than three years of times (% to %)', lo, hi;
    END IF;
    WHILE month <= last LOOP
        name := 'events_' || to_char(month, 'YYYY_MM');
        IF to_regclass('{S}.' || name) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE {S}.%I PARTITION OF {S}.events FOR VALUES FROM (%s) TO (%s)', name,
                               extract(epoch FROM month::timestamp AT TIME ZONE 'UTC'),
                               extract(epoch FROM (month + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
                made := made + 1;
            EXCEPTION WHEN duplicate_table THEN NULL;  -- another agent made it a moment ago
            END;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$"""


def _roles_and_policies(cur) -> None:
    for role in (AGENT_ROLE, LEAD_ROLE):
        cur.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                    f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$")
    cur.execute(f"GRANT USAGE ON SCHEMA {S} TO {AGENT_ROLE}, {LEAD_ROLE}")
    cur.execute(f"GRANT SELECT ON {S}.meta TO {AGENT_ROLE}, {LEAD_ROLE}")
    cur.execute(f"REVOKE ALL ON FUNCTION {S}.ensure_partitions(double precision, double precision) FROM PUBLIC")
    cur.execute(f"GRANT EXECUTE ON FUNCTION {S}.ensure_partitions(double precision, double precision) TO {AGENT_ROLE}")
    rights = {"events": "SELECT, INSERT", "sessions": "SELECT, INSERT, UPDATE", "chats": "SELECT, INSERT, UPDATE",
              "sync_marks": "SELECT, INSERT, UPDATE"}
    for table in _OWN:
        cur.execute(f"GRANT {rights.get(table, 'SELECT, INSERT, UPDATE, DELETE')} ON {S}.{table} TO {AGENT_ROLE}")
        cur.execute(f"GRANT SELECT ON {S}.{table} TO {LEAD_ROLE}")
        cur.execute(f"ALTER TABLE {S}.{table} ENABLE ROW LEVEL SECURITY")
        cur.execute(f"CREATE POLICY own_rows ON {S}.{table} TO {AGENT_ROLE} "
                    "USING (agent = current_user) WITH CHECK (agent = current_user)")
        cur.execute(f"CREATE POLICY lead_reads_all ON {S}.{table} FOR SELECT TO {LEAD_ROLE} USING (true)")


MIGRATIONS: dict[int, Migration] = {1: _v1_initial}


def stored_version(cur) -> int | None:
    """The store's schema version; None where there is no team store (yet)."""
    cur.execute("SELECT to_regclass(%s)", (f"{S}.meta",))
    if cur.fetchone()[0] is None:
        return None
    cur.execute(f"SELECT key, value FROM {S}.meta WHERE key IN ('app', 'schema_version')")
    meta = dict(cur.fetchall())
    if meta.get("app") != APP_MARKER:
        raise TeamStoreError(f"the schema {S!r} in this database belongs to another application; "
                             "nothing was changed", "config")
    return int(meta.get("schema_version", "0"))


def check_version(cur, target: str) -> int:
    """The version, when this app can use the store; TeamStoreError otherwise (nothing changed)."""
    version = stored_version(cur)
    if version is None:
        raise TeamStoreError(f"there is no team store at {target} yet: its owner runs "
                             "`copilot teamdb init --db URL`", "not_initialised")
    if version > SCHEMA_VERSION:
        raise TeamStoreError(newer_message(version, target), "newer")
    if version < SCHEMA_VERSION:
        raise TeamStoreError(f"the team store at {target} has schema v{version}; this app needs v{SCHEMA_VERSION}: "
                             "its owner runs `copilot teamdb init --db URL` to bring it up to date", "not_initialised")
    return version


def newer_message(version: int, target: str) -> str:
    return (f"the team store at {target} has schema v{version}, newer than this app understands "
            f"(v{SCHEMA_VERSION}); update Agent Copilot. Nothing was changed.")


def init_store(conn, target: str, migrations: Mapping[int, Migration] = MIGRATIONS) -> tuple[int | None, int]:
    """Create or migrate the schema; returns (version before, version now). Raises TeamStoreError."""
    latest = max(migrations)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        before = stored_version(cur)
        if before is not None and before > latest:
            raise TeamStoreError(newer_message(before, target), "newer")
        if before is None:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {S}")
            cur.execute(f"CREATE TABLE {S}.meta (key text PRIMARY KEY, value text NOT NULL)")
            cur.execute(f"INSERT INTO {S}.meta VALUES ('app', %s)", (APP_MARKER,))
        current = before or 0
        for version in sorted(v for v in migrations if v > current):
            migrations[version](cur)
            cur.execute(f"INSERT INTO {S}.meta VALUES ('schema_version', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
            current = version
        cur.execute(f"SELECT {S}.ensure_partitions(extract(epoch FROM now() - interval '1 month'), "
                    "extract(epoch FROM now() + interval '3 months'))")
    return before, current
