"""Assembles a working session from the user's settings, without Qt: clock, chat source, engines,
usage log, workspace and suggestion coordinator. The window, the self-test, the screenshot command
and the tests all start here, so what is recorded about a session (its engine, its source) is
decided once, before anything happens in it.
"""
from __future__ import annotations

import getpass
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path

from copilot import __version__, paths
from copilot.assist.coordinator import SuggestionCoordinator
from copilot.assist.engines import Engines
from copilot.core.clock import AcceleratedClock, Clock
from copilot.core.jobs import Runner, run_now
from copilot.core.modes import AssistMode
from copilot.core.workspace import Workspace
from copilot.settings import Settings

log = logging.getLogger(__name__)


def default_agent_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "agent"


@dataclass
class SessionOptions:
    """What the command line may set for one run; everything else comes from Settings."""

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
    assist_mode: str = AssistMode.AUTOMATIC.value
    store_text: bool = False  # keep (redacted) message text in the usage log: a team opt-in


@dataclass
class Session:
    options: SessionOptions
    settings: Settings
    clock: Clock
    source: object  # a copilot.core.source.ChatSource
    engines: Engines
    usage_log: object  # copilot.usage.log.UsageLog
    workspace: Workspace
    coordinator: SuggestionCoordinator
    # Problems found while starting (malformed scenario files, unusable endpoint settings): shown to
    # the user, not fatal.
    problems: list[str] = field(default_factory=list)

    @property
    def simulator(self):
        """The built-in simulator when it is the source (scripted agents read its hints), else None."""
        return self.source if getattr(self.source, "kind", "") == "simulator" else None

    @classmethod
    def build(cls, options: SessionOptions, settings: Settings | None = None, runner: Runner = run_now,
              engines: Engines | None = None) -> "Session":
        """`runner` runs assist work: the window's background helper, or inline (command line, tests).
        `engines`: already built (e.g. with a key read off the UI thread); None builds them here."""
        from copilot.assist import frustration
        from copilot.assist.escalation import EscalationTracker, agent_message_flags
        from copilot.assist.redaction import redact
        from copilot.usage.log import UsageLog

        settings = settings or Settings()
        problems: list[str] = []
        clock = AcceleratedClock(options.speed)
        source = build_simulator(options, problems)
        if engines is None:
            engines = build_engines(settings, options.model_dir, problems)
        usage_log = UsageLog.open(
            options.usage_log or paths.usage_log_path(), agent=options.agent, app_version=__version__,
            engine=engines.configured.value, policy=options.policy, started_at=clock.now(),
            store_text=options.store_text, redact=redact if options.store_text else None,
        )
        workspace = Workspace(source=source, clock=clock, recorder=usage_log, frustration_scorer=frustration.score,
                              mode=AssistMode(options.assist_mode), escalations=EscalationTracker(),
                              message_flagger=agent_message_flags, categories=frozenset(engines.playbooks))
        if settings.blind_first_every:
            from copilot.practice.blind_first import BlindFirst

            workspace.blind = BlindFirst(settings.blind_first_every, recorder=usage_log, seed=usage_log.session_id)
            if getattr(source, "kind", "") == "simulator":
                workspace.final_category = lambda chat: source.scenario_of(chat.id).issue
        coordinator = SuggestionCoordinator(workspace, engines, runner)
        source.start()
        return cls(options, settings, clock, source, engines, usage_log, workspace, coordinator, problems)

    def close(self) -> None:
        self.coordinator.cancel_all()
        self.source.stop()
        # Session times follow the session clock, which runs fast in accelerated simulations.
        self.usage_log.close(ended_at=self.clock.now())


def build_engines(settings: Settings, model_dir: Path | None, problems: list[str]) -> Engines:
    """The offline engine (the given model, or the built-in one; its model is read when first needed,
    see DeferredOfflineEngine) and, if the settings ask for it, the LLM engine in front of it.
    Unusable endpoint settings fall back to offline, with a problem."""
    from copilot.assist.engines import DeferredOfflineEngine
    from copilot.knowledge.wiring import attach

    offline = DeferredOfflineEngine(model_dir)
    try:
        engines = Engines.from_settings(settings, offline)
    except ValueError as exc:
        problems.append(f"The model endpoint settings cannot be used ({exc}); the offline engine is used.")
        engines = Engines(offline)
    attach(engines, settings, problems)  # the team's saved replies and articles, when imported
    return engines


def build_simulator(options: SessionOptions, problems: list[str]):
    from copilot.sources.scenario import load_scenarios
    from copilot.sources.simulator import Simulator, SimulatorConfig

    scenarios, scenario_problems = load_scenarios(options.scenarios_dir or paths.resource("scenarios"))
    for problem in scenario_problems:
        problems.append(f"Scenario file skipped: {problem}")
        log.warning("scenario file skipped: %s: %s", problem.path, problem.message)
    if not scenarios:
        raise RuntimeError("No usable chat scenarios were found; the simulator has nothing to play.")
    return Simulator(scenarios, SimulatorConfig(
        seed=options.seed if options.seed is not None else random.randrange(2**31),
        arrival_rate=options.arrival_per_minute, max_concurrent=options.max_concurrent,
        total_chats=options.total_chats,
    ))
