"""Where the team store is and how to reach it: the URL (never with a password), TLS, and the password.

    config = StoreConfig.parse("postgresql://ann@db.example.com/copilot", sslmode="verify-full")
    with connect(config, password) as conn: ...

The password comes from the OS keyring (copilot/secrets.py, one entry per user@host:port/db);
a URL given on the command line may carry one, and libpq's own PGPASSWORD and ~/.pgpass work
too. Settings never hold it. `sslmode` is passed to libpq as given (require, verify-full, ...).
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from copilot.teamstore.errors import TeamStoreError, connect_error

SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
CONNECT_TIMEOUT = 10  # seconds; a server that is away must not hold a sync pass for long
# libpq notices a silently dead network (a cable pulled mid-batch) after about a minute.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


@dataclass(frozen=True)
class StoreConfig:
    dsn: str  # libpq's connection string, without a password
    sslmode: str = "prefer"
    user: str = ""
    host: str = ""
    port: int = 5432
    dbname: str = ""
    password: str | None = field(default=None, repr=False, compare=False)  # only from a URL on the command line

    @classmethod
    def parse(cls, url: str, sslmode: str | None = None) -> StoreConfig:
        """Raises TeamStoreError (kind "config") for a URL libpq cannot read or an unknown sslmode."""
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        url = (url or "").strip()
        if not url:
            raise TeamStoreError("no team store given: use --db postgresql://USER@HOST[:PORT]/DATABASE", "config")
        if "://" in url and not url.startswith(("postgresql://", "postgres://")):
            raise TeamStoreError(f"the team store URL must start with postgresql://, not {url.split('://')[0]}://",
                                 "config")
        try:
            params = conninfo_to_dict(url)
        except Exception as exc:
            raise TeamStoreError(f"the team store URL cannot be read: {exc}", "config") from None
        password = params.pop("password", None)
        sslmode = sslmode or params.pop("sslmode", None) or "prefer"
        params.pop("sslmode", None)
        if sslmode not in SSLMODES:
            raise TeamStoreError(f"sslmode must be one of {', '.join(SSLMODES)}, not {sslmode!r}", "config")
        try:
            port = int(params.get("port") or 5432)
        except ValueError:
            raise TeamStoreError(f"the team store port must be a number, not {params.get('port')!r}",
                                 "config") from None
        user = params.get("user") or getpass.getuser()
        return cls(make_conninfo(**params), sslmode, user, params.get("host") or "localhost", port,
                   params.get("dbname") or user, password)

    @property
    def target(self) -> str:
        """"db.example.com:5432/copilot": for messages (no user, no password)."""
        return f"{self.host}:{self.port}/{self.dbname}"

    @property
    def account(self) -> str:
        """The keyring entry for this user on this store."""
        return f"team-store:{self.user}@{self.target}"

    @property
    def display(self) -> str:
        """"postgresql://ann@db.example.com:5432/copilot": what Settings keep and messages show."""
        return f"postgresql://{self.user}@{self.target}"

    def conninfo(self, password: str | None) -> str:
        from psycopg.conninfo import make_conninfo

        extra = {"password": password} if password else {}
        return make_conninfo(self.dsn, sslmode=self.sslmode, connect_timeout=CONNECT_TIMEOUT,
                             application_name="agent-copilot", **_KEEPALIVES, **extra)


def resolve_password(config: StoreConfig) -> str | None:
    """The URL's password, else the keyring's; None lets libpq try PGPASSWORD and ~/.pgpass."""
    if config.password:
        return config.password
    from copilot.secrets import get_team_store_password

    return get_team_store_password(config.account)


def connect(config: StoreConfig, password: str | None = None, autocommit: bool = False):
    """A psycopg connection, or TeamStoreError saying in plain words why not."""
    import psycopg

    try:
        conn = psycopg.connect(config.conninfo(password), autocommit=autocommit)
    except psycopg.Error as exc:
        raise connect_error(exc, config.target, config.user, config.sslmode) from None
    return conn
