"""What can go wrong with the team store, in words an agent or a team lead can act on.

Every failure the store's code meets becomes a TeamStoreError with a `kind` the status area and
the command line can act on, and a one-line message that never contains the password.
"""
from __future__ import annotations

KINDS = ("unreachable", "auth", "tls", "newer", "not_initialised", "refused", "lost", "config", "error")


class TeamStoreError(Exception):
    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind if kind in KINDS else "error"

    @property
    def message(self) -> str:
        return str(self)


# (words in the server's or libpq's message, kind, what we say) -- first match wins.
_CONNECT = (
    ("password authentication failed", "auth", "the team store refused the password for {user}"),
    ("no password supplied", "auth", "the team store needs a password for {user} and none is saved"),
    ("fe_sendauth", "auth", "the team store needs a password for {user} and none is saved"),
    ("does not support ssl", "tls", "the team store does not offer TLS, and sslmode={sslmode} requires it"),
    ("root certificate file", "tls", "the server's certificate cannot be checked (sslmode={sslmode} needs a root "
                                     "certificate in ~/.postgresql/root.crt)"),
    ("certificate verify failed", "tls", "the server's TLS certificate is not trusted (sslmode={sslmode})"),
    ("server certificate for", "tls", "the server's TLS certificate is for another host (sslmode={sslmode})"),
    ("ssl", "tls", "the TLS connection to the team store failed (sslmode={sslmode})"),
    ("database \"", "config", "there is no such database on the team store server ({target})"),
    ("role \"", "auth", "the team store has no user {user}"),
    ("timeout expired", "unreachable", "the team store at {target} did not answer in time"),
    ("connection refused", "unreachable", "cannot reach the team store at {target} (connection refused)"),
    ("could not translate host name", "unreachable", "cannot find the team store's host ({target})"),
    ("no route to host", "unreachable", "cannot reach the team store at {target} (no route to host)"),
    ("network is unreachable", "unreachable", "cannot reach the team store at {target} (no network)"),
    ("too many connections", "unreachable", "the team store is too busy to accept a connection; it will be retried"),
    ("the database system is", "unreachable", "the team store is starting or shutting down; it will be retried"),
)


def connect_error(exc: BaseException, target: str, user: str, sslmode: str) -> TeamStoreError:
    """A failure to connect, explained (libpq's message is kept out: it repeats, and names internals)."""
    text = str(exc).lower()
    for words, kind, message in _CONNECT:
        if words in text:
            return TeamStoreError(message.format(target=target, user=repr(user), sslmode=sslmode), kind)
    first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return TeamStoreError(f"cannot connect to the team store at {target}: {first}", "unreachable")


def operation_error(exc: BaseException, doing: str) -> TeamStoreError:
    """A failure after connecting: the connection dropped, the server refused, or the schema is missing."""
    import psycopg

    if isinstance(exc, TeamStoreError):
        return exc
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.InsufficientPrivilege) or "row-level security" in text:
        return TeamStoreError(f"the team store refused {doing}: {text}", "refused")
    missing = psycopg.errors.UndefinedTable | psycopg.errors.InvalidSchemaName | psycopg.errors.UndefinedFunction
    if isinstance(exc, missing):
        return TeamStoreError("the team store is not set up yet: run `copilot teamdb init --db URL` as its "
                              f"owner ({text})", "not_initialised")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return TeamStoreError(f"the connection to the team store was lost while {doing}; nothing from the "
                              "unfinished batch was kept, and it will be sent again", "lost")
    return TeamStoreError(f"the team store failed while {doing}: {text}", "error")
