"""A practice session: a few simulated chats, every suggestion hidden, each chat scored as it ends.

The session is itself the chat source the workspace reads (kind "practice"), so practice runs in the
same window, with the same keyboard, as live work; only the suggestions are off and the issue is
named by the agent. Qt-free: the window displays it, scripted agents (scripted.py) drive it directly.

    session = PracticeSession.for_agent("ann", scenarios, now, recorder=usage_log, last_practised=...)
    workspace = Workspace(source=session, clock=clock)        # no suggestions, no live usage records
    session.name_issue(chat_id, "damaged_item", now)            # the agent's pick (Alt+I picker)
    session.chat_score(chat_id)                                 # a ChatScore once that chat has ended
    session.finished / session.end(now) -> PracticeResult        # all chats scored / stop early

Records go to `recorder` (the usage log): one "practice_chat" per scored chat and one
"practice_session" at the end (records.py lists their fields).
"""
from __future__ import annotations

import uuid

from copilot.core.events import ChatOpened, SourceEvent
from copilot.core.recorder import NullRecorder, Recorder, RecordKind
from copilot.practice.issues import issue_catalogue, issue_ids
from copilot.practice.promises import promises_for
from copilot.practice.records import chat_record, session_record
from copilot.practice.result import PracticeResult
from copilot.practice.scoring import score_chat
from copilot.practice.selection import DEFAULT_CHATS, choose_scenarios
from copilot.practice.transcript import ChatScore, PracticeChat
from copilot.sources.scenario import Scenario
from copilot.sources.simulator import Simulator, SimulatorConfig

ARRIVALS_PER_MINUTE = 6.0  # the next customer comes a few seconds after the last one left


class PracticeSession:
    kind = "practice"

    def __init__(self, agent: str, chosen: list[Scenario], started_at: float, recorder: Recorder | None = None,
                 seed: int = 0, policy: str = "", skill: float | None = None, practice_id: str = ""):
        if not chosen:
            raise ValueError("a practice session needs at least one scenario")
        self.agent, self.policy, self.skill = agent, policy, skill
        self.practice_id = practice_id or uuid.uuid4().hex[:12]
        self.started_at = started_at
        self.recorder = recorder or NullRecorder()
        self.planned = [s.id for s in chosen]
        unique = list({s.id: s for s in chosen}.values())
        self.simulator = Simulator(unique, SimulatorConfig(
            seed=seed, arrival_rate=ARRIVALS_PER_MINUTE, max_concurrent=1, total_chats=len(chosen),
            scenario_ids=tuple(self.planned), id_prefix=f"practice-{self.practice_id}"))
        self.chats: dict[str, PracticeChat] = {}
        self.scores: dict[str, ChatScore] = {}
        self.result: PracticeResult | None = None  # set once every chat is scored, or by end()

    @classmethod
    def for_agent(cls, agent: str, scenarios: list[Scenario], now: float, recorder: Recorder | None = None,
              last_practised: dict[str, float] | None = None, chats: int = DEFAULT_CHATS, seed: int = 0,
              **options) -> PracticeSession:
        """A session of `chats` scenarios the agent has not practised recently, difficulty mixed."""
        return cls(agent, choose_scenarios(scenarios, last_practised, chats, seed), now, recorder, seed, **options)

    # ---- ChatSource --------------------------------------------------------------------------
    def start(self) -> None:
        pass  # nothing to connect to

    def stop(self) -> None:
        pass

    def poll(self, now: float) -> list[SourceEvent]:
        events = self.simulator.poll(now)
        for event in events:
            if isinstance(event, ChatOpened):
                self.chats[event.chat_id] = PracticeChat(event.chat_id, len(self.chats) + 1,
                                                         self.simulator.scenario_of(event.chat_id), event.ts)
        self._settle(now)
        return events

    def send(self, chat_id: str, text: str, now: float, outbox_id: str = "") -> None:
        chat = self.chats.get(chat_id)
        if chat is not None and not chat.ended:
            chat.agent_messages.append((now, text))
        self.simulator.send(chat_id, text, now, outbox_id)
        self._settle(now)

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        self.simulator.close(chat_id, resolved, now)
        self._settle(now)

    # ---- practice ----------------------------------------------------------------------------
    @property
    def issues(self):
        """What the issue picker offers: (id, label) pairs, in order (copilot.practice.issues)."""
        return [(i.id, i.label) for i in issue_catalogue()]

    def name_issue(self, chat_id: str, issue: str, now: float) -> bool:
        """The agent names the chat's issue (again, to change their mind). False: unknown chat or issue,
        or the chat has ended."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.ended or issue not in issue_ids():
            return False
        chat.named.append((now, issue))
        return True

    def chat_score(self, chat_id: str) -> ChatScore | None:
        return self.scores.get(chat_id)

    @property
    def finished(self) -> bool:
        return self.result is not None

    def open_chat_ids(self) -> list[str]:
        return self.simulator.open_chat_ids()

    def hint_reply(self, chat_id: str) -> str:  # for scripted agents only
        return self.simulator.hint_reply(chat_id)

    def end(self, now: float) -> PracticeResult:
        """Stop now: chats still open are closed unresolved and scored as they stand."""
        if self.result is None:
            self.simulator.poll(now)
            for chat_id in self.simulator.open_chat_ids():
                self.simulator.close(chat_id, False, now)
            self._settle(now, ending=True)
        assert self.result is not None
        return self.result

    def _settle(self, now: float, ending: bool = False) -> None:
        """Score the chats that have ended; summarise once all are scored (or when ending early)."""
        still_open = set(self.simulator.open_chat_ids())
        for chat_id, chat in self.chats.items():
            if chat_id in self.scores or chat_id in still_open:
                continue
            outcome = self.simulator.outcome(chat_id)
            chat.outcome = outcome
            score = score_chat(chat, promises_for(chat.scenario))
            self.scores[chat_id] = score
            self.recorder.record(RecordKind.PRACTICE_CHAT, outcome.ended_at, **chat_record(self, chat, score))
        done = len(self.scores) == len(self.planned)
        if self.result is None and (done or ending):
            self.result = PracticeResult(self.practice_id, self.agent, self.started_at, now,
                                         tuple(self.scores.values()), len(self.planned), self.policy, self.skill)
            self.recorder.record(RecordKind.PRACTICE_SESSION, now, **session_record(self.result))
