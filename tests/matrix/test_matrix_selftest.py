"""`copilot selftest --source matrix` works a shift on a real Synapse, with the customers outside
the app: here the simulator's scripted customers, writing through their own Matrix accounts."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from copilot import paths
from copilot.core.clock import AcceleratedClock
from copilot.sources.matrix.customers import MatrixCustomers
from copilot.sources.scenario import load_scenarios
from copilot.sources.simulator import Simulator, SimulatorConfig
from tests.matrix.conftest import new_user


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_selftest_works_a_shift_on_whatever_chats_arrive(synapse, tmp_path):
    agent, bridge = new_user(synapse, "agent", "Dana"), new_user(synapse, "bridge", "Bridge")
    scenarios, _ = load_scenarios(paths.resource("scenarios"))
    simulator = Simulator(scenarios, SimulatorConfig(seed=9, arrival_rate=10.0, max_concurrent=3, total_chats=4,
                                                     typing_delay=(2.0, 4.0), linger=(3.0, 6.0)))
    customers = MatrixCustomers(synapse.url, agent["user_id"], lambda user, password, name: synapse.register(
        user, password, displayname=name), simulator, AcceleratedClock(8.0), bridge, prefix=f"st{os.getpid()}")
    env = {**os.environ, "AGENT_PASSWORD": agent["password"], "COPILOT_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "copilot", "selftest", "--source", "matrix", "--homeserver", synapse.url,
               "--user", agent["user"], "--password-env", "AGENT_PASSWORD", "--chats", "3", "--speed", "8", "--json",
               "--usage-log", str(tmp_path / "shift.sqlite"), "--timeout", "300"]
    customers.start()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=380)
    finally:
        customers.stop()
    summary = json.loads(done.stdout)
    assert done.returncode == 0, (summary, done.stderr[-2000:])
    assert summary["ok"] and summary["source"] == "matrix" and summary["shift"]["chats_ended"] >= 3
    assert summary["messages"]["customer"] > 0 and summary["decisions"]["shown"] > 0
    assert summary["link"]["state"] == "connected" and not customers.errors


def test_selftest_says_plainly_when_the_password_is_missing(synapse, tmp_path):
    env = {**os.environ, "COPILOT_DATA_DIR": str(tmp_path / "data")}
    env.pop("NO_SUCH_VAR", None)
    done = subprocess.run([sys.executable, "-m", "copilot", "selftest", "--source", "matrix", "--homeserver", synapse.url,
                           "--user", "dana", "--password-env", "NO_SUCH_VAR", "--chats", "1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "copilot selftest: --password-env NO_SUCH_VAR: that environment variable is not set or empty"
