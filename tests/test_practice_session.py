"""The practice session API the window will display: scenario choice, one chat at a time, naming the
issue, scores as chats end, records in a real usage log, ending early, and driving it through the
same Workspace as live work. No Qt."""
from __future__ import annotations

from collections import Counter

import pytest

from copilot.core.clock import ManualClock
from copilot.core.events import ChatOpened
from copilot.core.recorder import MemoryRecorder, NullRecorder
from copilot.core.workspace import Workspace
from copilot.practice.issues import issue_catalogue
from copilot.practice.records import read_skill_files
from copilot.practice.runner import play
from copilot.practice.scripted import UnassistedAgent
from copilot.practice.selection import choose_scenarios, difficulty_mix
from copilot.practice.session import PracticeSession
from copilot.sources import OUT_OF_SCOPE, load_scenarios
from copilot.usage import UsageLog

T0 = 1_767_600_000.0


@pytest.fixture(scope="module")
def scenarios():
    loaded, problems = load_scenarios()
    assert problems == []
    return loaded


def test_difficulty_mix_and_choice_avoid_what_was_practised(scenarios):
    assert difficulty_mix(5) == ["easy", "easy", "medium", "medium", "hard"]
    assert Counter(difficulty_mix(10)) == {"easy": 4, "medium": 4, "hard": 2}
    assert difficulty_mix(1) == ["medium"] and difficulty_mix(2) == ["easy", "medium"]
    with pytest.raises(ValueError, match="1 to 20 chats"):
        difficulty_mix(0)
    first = choose_scenarios(scenarios, {}, 5, seed=1)
    assert [s.expectations.difficulty for s in first] == difficulty_mix(5)
    assert len({s.issue for s in first}) == 5
    practised = {s.id: T0 for s in first}
    second = choose_scenarios(scenarios, practised, 5, seed=1)
    assert not {s.id for s in second} & set(practised)
    # once everything has been practised, the longest ago comes first (an issue not yet in the session first)
    everything = {s.id: T0 + i for i, s in enumerate(scenarios)}
    chosen = choose_scenarios(scenarios, everything, 5, seed=9)
    easy = sorted((s for s in scenarios if s.expectations.difficulty == "easy"), key=lambda s: everything[s.id])
    assert chosen[0] == easy[0]
    hard = [s for s in scenarios if s.expectations.difficulty == "hard" and s.issue not in {c.issue for c in chosen[:4]}]
    assert chosen[4] == min(hard, key=lambda s: everything[s.id])


def test_chats_come_one_at_a_time_and_are_scored_as_they_end(scenarios):
    recorder = MemoryRecorder()
    session = PracticeSession.for_agent("ann", scenarios, T0, recorder=recorder, seed=4)
    assert session.kind == "practice"
    result = play(session, UnassistedAgent(0.8, seed=4), ManualClock(T0))
    assert session.finished and result.complete and len(result.chats) == 5
    assert sorted(c.scenario_id for c in result.chats) == sorted(session.planned)
    spans = sorted((c.outcome.opened_at, c.outcome.ended_at) for c in session.chats.values())
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(4))  # never two chats open at once
    assert 3 <= (result.ended_at - result.started_at) / 60 <= 20  # about ten minutes
    kinds = recorder.kinds()
    assert kinds.count("practice_chat") == 5 and kinds[-1] == "practice_session"
    summary = recorder.records[-1][2]
    assert summary["score"] == round(result.score, 2) and summary["complete"] is True
    assert summary["chats_planned"] == 5 and len(summary["scenario_ids"]) == 5
    chat = recorder.records[0][2]
    assert set(chat) >= {"practice_id", "scenario_id", "issue", "difficulty", "named_issue", "score", "parts", "tip"}
    assert result.to_dict()["breakdown"]["diagnosis"]["weight"] == 20.0


def test_naming_the_issue_is_checked(scenarios):
    session = PracticeSession.for_agent("ann", scenarios, T0, seed=2)
    opened = [e for e in session.poll(T0) if isinstance(e, ChatOpened)]
    chat_id = opened[0].chat_id
    assert not session.name_issue(chat_id, "refunds", T0)  # not an issue id
    assert not session.name_issue("nope", "damaged_item", T0)
    assert session.name_issue(chat_id, OUT_OF_SCOPE, T0 + 1)
    assert session.chats[chat_id].named == [(T0 + 1, OUT_OF_SCOPE)]
    assert [i for i, _ in session.issues] == [i.id for i in issue_catalogue()] and session.issues[-1][0] == OUT_OF_SCOPE
    assert session.chat_score(chat_id) is None  # not ended yet


def test_ending_early_scores_what_was_played(scenarios):
    recorder = MemoryRecorder()
    session = PracticeSession.for_agent("ann", scenarios, T0, recorder=recorder, seed=5)
    session.poll(T0)
    result = session.end(T0 + 30)
    assert session.finished and not result.complete and result.planned == 5
    assert len(result.chats) == 1 and result.chats[0].score <= 15.0  # nothing done: at most the promises part
    assert result.score == pytest.approx(result.chats[0].score / 5)
    assert session.end(T0 + 60) is result  # ending twice changes nothing
    assert recorder.kinds() == ["practice_chat", "practice_session"]


def test_records_in_a_real_usage_log_feed_the_next_choice(scenarios, tmp_path):
    path = tmp_path / "ann.sqlite"
    with UsageLog.open(path, agent="ann", app_version="test", engine="offline", started_at=T0) as log:
        first = play(PracticeSession.for_agent("ann", scenarios, T0, recorder=log, seed=1),
                     UnassistedAgent(0.7, seed=1), ManualClock(T0))
    (records,) = read_skill_files([path]).values()
    assert records.agent == "ann" and len(records.practices) == 1 and len(records.practice_chats) == 5
    assert records.practices[0][1]["score"] == round(first.score, 2)
    last = records.last_practised()
    assert set(last) == {c.scenario_id for c in first.chats}
    second = PracticeSession.for_agent("ann", scenarios, T0 + 86400, NullRecorder(), last_practised=last, seed=1)
    assert not set(second.planned) & set(last)
    # the same records read again from a copy of the file are counted once
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    assert len(read_skill_files([path, copy])["ann"].practices) == 1


def test_the_workspace_of_live_work_drives_a_practice(scenarios):
    """What the window does: a Workspace on the practice session, no suggestions, nothing in the live usage log."""
    clock = ManualClock(T0)
    recorder = MemoryRecorder()
    session = PracticeSession(["ann"][0], choose_scenarios(scenarios, {}, 1, seed=3), clock.now(), recorder=recorder)
    live = MemoryRecorder()
    ws = Workspace(source=session, clock=clock, recorder=live)
    ws.tick()
    (chat_id,) = list(ws.chats)
    scenario = session.chats[chat_id].scenario
    clock.advance(20)
    ws.tick()
    session.name_issue(chat_id, scenario.issue, clock.now())
    for fact in scenario.resolution.requires:
        ws.focus(chat_id)
        ws.send(chat_id, scenario.fill(scenario.rule_revealing(fact).ask))
        clock.advance(15)
        ws.tick()
    ws.send(chat_id, scenario.fill(scenario.resolution.offer))
    clock.advance(15)
    ws.tick()
    ws.end_chat(chat_id, resolved=True)
    ws.tick()
    assert session.finished
    score = session.chat_score(chat_id)
    assert score.part("diagnosis").points == 20.0 and score.part("resolution").points == 25.0
    assert [k for k in recorder.kinds()] == ["practice_chat", "practice_session"]
    assert "suggestion_shown" not in live.kinds()
