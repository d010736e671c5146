"""Fixtures for the Matrix source tests: a real Synapse homeserver (started once per session on a
free loopback port, SQLite), fresh accounts per test, and a poller that gathers what a source
reports. Without matrix-synapse installed these tests skip, saying so; on CI (CI=true) they fail
instead, because the test extra installs it."""
from __future__ import annotations

import os
import secrets

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
