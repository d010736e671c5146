"""Where chats come from. Qt-free. The built-in simulator plays scripted customers from
resources/scenarios/*.toml (format: resources/scenarios/README.md)."""
from copilot.sources.outcome import ChatOutcome, SimulatorStats
from copilot.sources.scenario import (
    ISSUE_TYPES, OUT_OF_SCOPE, Scenario, ScenarioProblem, default_scenarios_dir, load_scenarios,
)
from copilot.sources.simulator import Simulator, SimulatorConfig

__all__ = [
    "ChatOutcome", "ISSUE_TYPES", "OUT_OF_SCOPE", "Scenario", "ScenarioProblem", "Simulator",
    "SimulatorConfig", "SimulatorStats", "default_scenarios_dir", "load_scenarios",
]
