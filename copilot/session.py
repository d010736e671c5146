"""Assembles a working session from its parts, without Qt: clock, chat source, assist engine,
usage log and workspace. The window, the self-test and the screenshot command all start here.
"""
from __future__ import annotations

import getpass
import random
import logging
from dataclasses import dataclass, field
from pathlib import Path

from copilot import __version__, paths
from copilot.assist.engine import AssistEngine
from copilot.core.clock import AcceleratedClock, Clock
from copilot.core.workspace import AssistMode, Workspace

log = logging.getLogger(__name__)


def default_agent_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "agent"


@dataclass
class SessionOptions:
    agent: str = field(default_factory=default_agent_name)
    policy: str = ""  # the scripted agent's policy in self-tests; "" for a person
    seed: int | None = None
    speed: float = 1.0  # simulated seconds per real second
    arrival_per_minute: float = 1.5  # new chats per simulated minute
    max_concurrent: int = 5
    total_chats: int | None = None  # None: chats keep coming
    model_dir: Path | None = None  # a model trained with `copilot train`; None: the built-in one
    usage_log: Path | None = None  # None: usage.sqlite under the data directory
    scenarios_dir: Path | None = None  # None: the built-in scenarios
    assist_mode: str = "automatic"  # automatic | diagnose_first | on_request
    store_text: bool = False  # keep (redacted) message text in the usage log: a team opt-in


@dataclass
class Session:
    options: SessionOptions
    clock: Clock
    simulator: object  # copilot.sources.simulator.Simulator
    engine: AssistEngine
    usage_log: object  # copilot.usage.log.UsageLog
    workspace: Workspace
    # Problems found while starting (e.g. malformed scenario files): shown to the user, not fatal.
    problems: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, options: SessionOptions) -> "Session":
        from copilot.assist import frustration
        from copilot.assist.escalation import EscalationTracker, agent_message_flags
        from copilot.assist.offline import OfflineEngine
        from copilot.assist.redaction import redact
        from copilot.sources.scenario import load_scenarios
        from copilot.sources.simulator import Simulator, SimulatorConfig
        from copilot.usage.log import UsageLog

        problems: list[str] = []
        scenarios, scenario_problems = load_scenarios(options.scenarios_dir or paths.resource("scenarios"))
        for problem in scenario_problems:
            problems.append(str(problem))
            log.warning("scenario file skipped: %s: %s", problem.path, problem.message)
        if not scenarios:
            raise RuntimeError("No usable chat scenarios were found; the simulator has nothing to play.")
        clock = AcceleratedClock(options.speed)
        simulator = Simulator(
            scenarios,
            SimulatorConfig(
                seed=options.seed if options.seed is not None else random.randrange(2**31),
                arrival_rate=options.arrival_per_minute,
                max_concurrent=options.max_concurrent,
                total_chats=options.total_chats,
            ),
        )
        engine = OfflineEngine.load(options.model_dir) if options.model_dir else OfflineEngine.load_default()
        usage_log = UsageLog.open(
            options.usage_log or paths.usage_log_path(), agent=options.agent, app_version=__version__,
            engine=engine.name, policy=options.policy, started_at=clock.now(),
            store_text=options.store_text, redact=redact if options.store_text else None,
        )
        workspace = Workspace(source=simulator, clock=clock, recorder=usage_log, frustration_scorer=frustration.score,
                              mode=AssistMode(options.assist_mode), escalations=EscalationTracker(),
                              message_flagger=agent_message_flags)
        return cls(options, clock, simulator, engine, usage_log, workspace, problems)

    def close(self) -> None:
        # Session times follow the session clock, which runs fast in accelerated simulations.
        self.usage_log.close(ended_at=self.clock.now())
