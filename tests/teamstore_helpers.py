"""A fresh team store per test on the session's PostgreSQL cluster, with agents' and a lead's logins.

Logins are cluster-wide, so they are made once; each test gets its own database, initialised by
the real `init_store`, and dropped afterwards.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from copilot.teamstore.config import StoreConfig, connect
from copilot.teamstore.schema import AGENT_ROLE, LEAD_ROLE, init_store
from copilot.teamstore.sync import TeamSync
from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD, PgCluster

AGENTS = ("ann", "bo", "cy", "di")
LEAD = "lee"
PASSWORD = "team-pw"
_numbers = itertools.count(1)


def make_logins(cluster: PgCluster) -> None:
    with cluster.admin("postgres") as conn:
        for group in (AGENT_ROLE, LEAD_ROLE):
            conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{group}') "
                         f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$")
        for name, group in [*((a, AGENT_ROLE) for a in AGENTS), (LEAD, LEAD_ROLE)]:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
                conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}' IN ROLE {group}")


@dataclass
class Store:
    cluster: PgCluster
    dbname: str

    def url(self, user: str, password: str | None = None, **params) -> str:
        return self.cluster.url(user, password, self.dbname, **params)

    def config(self, user: str, sslmode: str | None = None) -> StoreConfig:
        return StoreConfig.parse(self.url(user), sslmode)

    def admin(self):
        return self.cluster.admin(self.dbname)

    def sync(self, agent: str, log: Path, **options) -> TeamSync:
        return TeamSync(self.config(agent), log, password=options.pop("password", PASSWORD), **options)

    def count(self, table: str, where: str = "true") -> int:
        with self.admin() as conn:
            return conn.execute(f"SELECT count(*) FROM copilot.{table} WHERE {where}").fetchone()[0]


def new_store(cluster: PgCluster, initialise: bool = True) -> Store:
    make_logins(cluster)
    name = f"store_{next(_numbers)}"
    with cluster.admin("postgres") as conn:
        conn.execute(f"CREATE DATABASE {name}")
    store = Store(cluster, name)
    if initialise:
        config = StoreConfig.parse(cluster.url(SUPERUSER, None, name))
        with connect(config, SUPERUSER_PASSWORD) as conn:
            init_store(conn, config.target)
    return store


def drop_store(store: Store) -> None:
    with store.cluster.admin("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {store.dbname} WITH (FORCE)")
