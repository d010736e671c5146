"""Test-wide setup: Qt renders offscreen, and nothing touches the user's real data directory."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "copilot-data"
    monkeypatch.setenv("COPILOT_DATA_DIR", str(data))
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(tmp_path / "copilot-config"))
    return data


class Shift:
    """One real `copilot selftest` run: its usage log and its printed summary."""

    def __init__(self, policy: str, log, process):
        self.policy, self.log, self.process = policy, log, process
        self.summary: dict = {}
        self.stderr = ""


@pytest.fixture(scope="session")
def selftest_shifts(tmp_path_factory):
    """Real self-test shifts, one per scripted policy, run once for the whole test session.

    Several tests read them (the summary against the log, the flags, the team review), so the
    three shifts run once, side by side: each spends most of its time waiting on timers.
    """
    import json
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("shifts")
    env = {**os.environ, "COPILOT_DATA_DIR": str(folder / "data"), "COPILOT_CONFIG_DIR": str(folder / "config")}
    shifts = {}
    for policy in ("passive", "careful", "overloaded"):
        log = folder / f"{policy}.sqlite"
        chats = ["--chats", "40"] if policy == "overloaded" else []
        # Passive decisions take under a second of session time, so that shift keeps the default
        # speed (40) for accurate timing; the others read for seconds and can run faster. The
        # generous limit is for CI, where these run beside a PyInstaller build.
        speed = [] if policy == "passive" else ["--speed", "60"]
        process = subprocess.Popen(
            [sys.executable, "-m", "copilot", "selftest", "--json", "--policy", policy, "--agent", f"{policy}-agent",
             "--usage-log", str(log), "--timeout", "900", *chats, *speed], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        shifts[policy] = Shift(policy, log, process)
    for shift in shifts.values():
        out, shift.stderr = shift.process.communicate(timeout=1000)
        shift.summary = json.loads(out) if out.strip() else {}
    return shifts


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI (CI=true) a skipped test is a failure: CI installs everything the suite needs, so a
    skip there means a missing install step, and it must not pass silently."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped on CI, which must run every test: {reason}"


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL server (Debian's `postgresql`), started once for the session on a free
    loopback port as an unprivileged user. Skipped, saying why, where PostgreSQL is not installed
    (and on CI a skip fails, see below)."""
    from tests.pg_cluster import PgCluster, missing

    problem = missing()
    if problem:
        pytest.skip(problem)
    cluster = PgCluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def team_store(pg_cluster):
    """A freshly initialised team store (its own database) with logins ann, bo, cy, di (agents) and lee (lead)."""
    from tests.teamstore_helpers import drop_store, new_store

    store = new_store(pg_cluster)
    yield store
    drop_store(store)
