"""Fixtures for the Matrix source tests: a real Synapse homeserver (started once per session on a
free loopback port, SQLite), fresh accounts per test, and a poller that gathers what a source
reports. Without matrix-synapse installed these tests skip, saying so; on CI (CI=true) they fail
instead, because the test extra installs it."""
from __future__ import annotations

import os
import secrets
import time

import pytest

from tests.matrix.synapse_server import SynapseServer, synapse_available


def _needs_synapse() -> None:
    problem = synapse_available()
    if problem and os.environ.get("CI"):
        pytest.fail(f"{problem}: CI must install the test extra")
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory):
    _needs_synapse()
    server = SynapseServer(tmp_path_factory.mktemp("synapse")).start()
    yield server
    server.stop()


@pytest.fixture
def own_synapse(tmp_path_factory):
    """A homeserver of the test's own, for tests that kill and restart it."""
    _needs_synapse()
    server = SynapseServer(tmp_path_factory.mktemp("own-synapse")).start()
    yield server
    server.stop()


def new_user(server: SynapseServer, role: str, name: str = "") -> dict:
    user = f"{role}-{secrets.token_hex(4)}"
    account = server.register(user, f"{user}-password", displayname=name or role.title())
    return {**account, "user": user, "password": f"{user}-password"}


class Gathered:
    """Everything a source reported, polled as the window would (every 50 ms)."""

    def __init__(self, source):
        self.source = source
        self.events: list = []
        self.poll_seconds: list[float] = []

    def poll(self) -> list:
        started = time.perf_counter()
        new = self.source.poll(time.time())
        self.poll_seconds.append(time.perf_counter() - started)
        self.events += new
        return new

    def until(self, predicate, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            if predicate(self.events):
                return True
            time.sleep(0.05)
        return False

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]
