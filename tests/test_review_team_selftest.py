"""A simulated team told apart: real `copilot selftest` shifts reviewed together with `copilot review`.

The team: the session's shared shifts (tests/conftest.py `selftest_shifts`: one passive, one
careful, one overloaded agent) and one more passive and one more careful shift run here. The
passive agents must be flagged for over-reliance and the careful ones not; the overloaded agent
is flagged for overload, not for over-reliance.
(A careful agent may be flagged for overload too: when the simulator sends more chats, anyone's
replies queue up, and that is what the overload rule looks for.)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

MORE = (("pia", "passive", 11), ("cole", "careful", 12))


def start_shift(folder, agent: str, policy: str, seed: int):
    env = {**os.environ, "COPILOT_DATA_DIR": str(folder / "data"), "COPILOT_CONFIG_DIR": str(folder / "config")}
    log = folder / f"{agent}.sqlite"
    return log, subprocess.Popen(
        [sys.executable, "-m", "copilot", "selftest", "--json", "--policy", policy, "--agent", agent, "--chats", "30",
         "--seed", str(seed), "--timeout", "600", "--usage-log", str(log),
         *([] if policy == "passive" else ["--speed", "60"])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_review_tells_passive_careful_and_overloaded_agents_apart(selftest_shifts, tmp_path):
    # Started once the shared shifts are done: five shifts at once on two busy cores can run past
    # the self-test's time limit.
    runs = {agent: start_shift(tmp_path, agent, policy, seed) for agent, policy, seed in MORE}
    for agent, (_, run) in runs.items():
        out, err = run.communicate(timeout=700)
        summary = json.loads(out) if out.strip() else {}
        failed = [name for name, passed in summary.get("checks", {}).items() if not passed]
        assert run.returncode == 0 and summary["ok"], f"{agent}: failed checks {failed}; {err[-1500:]}"
    for shift in selftest_shifts.values():
        assert shift.process.returncode == 0, shift.stderr[-2000:]
    logs = [str(s.log) for s in selftest_shifts.values()] + [str(log) for log, _ in runs.values()]
    html, table = tmp_path / "team.html", tmp_path / "team.csv"
    result = subprocess.run([sys.executable, "-m", "copilot", "review", "--logs", *logs, "--json",
                             "--html", str(html), "--csv", str(table)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    review = json.loads(result.stdout)
    agents = {a["agent"]: a for a in review["agents"]}
    assert set(agents) == {"passive-agent", "pia", "careful-agent", "cole", "overloaded-agent"}
    assert not review["problems"]
    why = {name: "\n".join(f["explanation"] for f in a["flags"].values()) for name, a in agents.items()}
    for name in ("passive-agent", "pia"):
        assert "over_reliance" in agents[name]["raised"], why[name]
        assert agents[name]["flags"]["over_reliance"]["explanation"].startswith("Passive over-reliance")
        assert agents[name]["figures"]["fast_acceptance_share"] > 0.5
    for name in ("careful-agent", "cole"):
        reliance = agents[name]["flags"]["over_reliance"]
        assert reliance["judged"] and not reliance["raised"], why[name]
        assert agents[name]["figures"]["fast_acceptance_share"] < 0.2 and agents[name]["figures"]["edit_rate"] > 0.1
    olly = agents["overloaded-agent"]
    assert "overload" in olly["raised"] and "over_reliance" not in olly["raised"], why["overloaded-agent"]
    assert olly["flags"]["overload"]["explanation"].startswith("Multitasking overload in the one session")
    assert sorted(review["raised"]["over_reliance"]) == ["passive-agent", "pia"]
    assert "overloaded-agent" in review["raised"]["overload"]
    assert html.stat().st_size > 20_000 and len(table.read_text(encoding="utf-8-sig").splitlines()) == 6
