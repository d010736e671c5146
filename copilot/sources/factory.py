"""From a SourceConfig and its secret to a chat source, and the Settings dialog's Test connection.

`open_source` builds a live source (not started: the session calls `start()`); the built-in
simulator is still made by the session from its scenarios. `test_connection` answers in plain words
within a total deadline, whatever the server does; call it off the UI thread (it waits on the network).
"""
from __future__ import annotations

import threading
from pathlib import Path

from copilot.core.source import ChatSource
from copilot.sources.config import SourceConfig
from copilot.sources.live.problems import ServerProblem

TEST_DEADLINE = 10.0  # seconds for the whole Test connection


def open_source(config: SourceConfig, secret: str, data_dir: Path) -> ChatSource:
    config = config.validated()
    if config.kind == "simulator":
        raise ValueError("the simulator is made by the session from its scenarios, not by open_source")
    if not secret:
        raise ValueError(f"no {'access token' if config.kind == 'chatwoot' or config.login == 'token' else 'password'} "
                         f"is saved for {config.url}: enter it in Copilot ▸ Chat source…")
    if config.kind == "matrix":
        from copilot.sources.matrix.source import MatrixSource

        return MatrixSource(config, secret, data_dir)
    from copilot.sources.chatwoot.source import ChatwootSource

    return ChatwootSource(config, secret, data_dir)


def source_config_of(settings) -> SourceConfig:
    """The source the settings name; the simulator when they name none."""
    data = getattr(settings, "chat_source", None) or {}
    return SourceConfig.from_dict(data) if data else SourceConfig()


def open_live_source(config: SourceConfig, secret: str | None = None, data_dir: Path | None = None) -> ChatSource:
    """A live source for a session: the secret given (e.g. from --password-env), else the keyring's."""
    from copilot import paths, secrets

    if secret is None:
        secret = secrets.get_source_secret(config.secret_account) or ""
    return open_source(config, secret, data_dir or paths.data_dir())


def test_connection(config: SourceConfig, secret: str, deadline: float = TEST_DEADLINE) -> tuple[bool, str]:
    """(ok, one plain sentence) after signing in and reading what the source would read."""
    try:
        config = config.validated()
    except ValueError as exc:
        return False, str(exc)
    if config.kind == "simulator":
        return True, "The built-in simulator needs no connection."
    if not secret:
        return False, "Enter the access token or password first."
    outcome: list[tuple[bool, str]] = []
    timeout = max(1.0, min(config.timeout, deadline - 1.0))

    def check() -> None:
        try:
            outcome.append(_check_matrix(config, secret, timeout) if config.kind == "matrix"
                           else _check_chatwoot(config, secret, timeout))
        except ServerProblem as problem:
            outcome.append((False, _sentence(problem)))
        except Exception as exc:  # anything else is still a plain answer, never a crash in the dialog
            outcome.append((False, f"The test failed unexpectedly ({type(exc).__name__}: {exc})."))

    worker = threading.Thread(target=check, name="test-connection", daemon=True)
    worker.start()
    worker.join(deadline)
    if not outcome:
        return False, f"No answer from {config.url} within {deadline:.0f} seconds."
    return outcome[0]


def _check_matrix(config: SourceConfig, secret: str, timeout: float) -> tuple[bool, str]:
    from copilot.sources.matrix.api import MatrixApi

    api = MatrixApi(config.url, secret if config.login == "token" else "", timeout, config.verify_tls)
    try:
        user = api.login(config.user, secret)["user_id"] if config.login == "password" else api.whoami()["user_id"]
        rooms = api.joined_rooms()
        where = ""
        if config.space:
            space = api.resolve_alias(config.space) if config.space.startswith("#") else config.space
            if space not in rooms:
                return False, f"Signed in as {user}, but that account has not joined the space {config.space}."
            where = f" (chats come from the space {config.space})"
        if config.login == "password":
            api.request("POST", "/_matrix/client/v3/logout", "signing out", body={})  # leave no test device behind
        return True, f"Connected to {config.url} as {user}: {len(rooms)} room(s) joined{where}."
    finally:
        api.close()


def _check_chatwoot(config: SourceConfig, secret: str, timeout: float) -> tuple[bool, str]:
    from copilot.sources.chatwoot.api import ChatwootApi
    from copilot.sources.chatwoot.cable import Cable, cable_url, origin_of

    api = ChatwootApi(config.url, secret, timeout, config.verify_tls)
    try:
        profile = api.profile()
        accounts = [a.get("id") for a in profile.get("accounts") or () if isinstance(a, dict)]
        account = config.account_id or profile.get("account_id") or (accounts[0] if accounts else None)
        if account is None or (accounts and account not in accounts):
            return False, f"Signed in as {profile.get('name')}, but that user is not in account {account}."
        api.account_id = int(account)
        open_count = len(api.assigned_open_conversations())
        cable = Cable(cable_url(config.url, config.websocket_url), origin_of(config.url), str(profile.get("pubsub_token")),
                      int(account), int(profile["id"]), timeout)
        try:
            cable.open()
        finally:
            cable.close()
        return True, (f"Connected to Chatwoot as {profile.get('name')} (account {account}): {open_count} open "
                      f"conversation(s) assigned to you; live updates work.")
    finally:
        api.close()


def _sentence(problem: ServerProblem) -> str:
    if problem.kind in ("auth", "forbidden"):
        return f"The server refused the sign-in ({problem.detail})."
    if problem.kind == "unreachable":
        return f"The server could not be reached: {problem.detail}."
    return f"The server answered with a problem: {problem.detail}."


test_connection.__test__ = False  # a function named test_* is not a pytest test
