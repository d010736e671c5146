"""Practice and blind-first records in the usage log: what is written, and reading it back per agent.

The usage log keeps kinds it has no table for in `events` (kind, ts, fields as JSON), so these need
no schema change. The kinds:

    practice_chat     practice_id, chat, scenario_id, issue, difficulty, named_issue, final_issue,
                      score, parts {part: points}, seconds, tip
    practice_session  practice_id, chats_planned, chats_scored, complete, score, breakdown {part: share},
                      policy, skill, scenario_ids, started_at, tip
    blind_pick        chat_id, suggestion_id, chosen, engine_category, agreed_engine, seconds   (blind_first.py)
    blind_outcome     chat_id, chosen, engine_category, final_category, agent_right, engine_right

No customer words are written: practice customers are scripted, and a blind pick is a category id.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.core.recorder import RecordKind

if TYPE_CHECKING:
    from copilot.practice.result import PracticeResult
    from copilot.practice.session import PracticeSession
    from copilot.practice.transcript import ChatScore, PracticeChat

KINDS = tuple(k.value for k in (RecordKind.PRACTICE_CHAT, RecordKind.PRACTICE_SESSION, RecordKind.BLIND_PICK,
                               RecordKind.BLIND_OUTCOME))


def chat_record(session: PracticeSession, chat: PracticeChat, score: ChatScore) -> dict:
    return {"practice_id": session.practice_id, "chat": chat.number, "scenario_id": chat.scenario.id,
            "issue": chat.scenario.issue, "difficulty": score.difficulty, "named_issue": chat.first_named,
            "final_issue": chat.last_named, "score": round(score.score, 2),
            "parts": {p.key: round(p.points, 2) for p in score.parts},
            "seconds": None if score.seconds is None else round(score.seconds, 1), "tip": score.tip}


def session_record(result: PracticeResult) -> dict:
    return {"practice_id": result.practice_id, "chats_planned": result.planned, "chats_scored": len(result.chats),
            "complete": result.complete, "score": round(result.score, 2),
            "breakdown": {k: round(v, 4) for k, v in result.part_shares().items()},
            "policy": result.policy, "skill": result.skill, "scenario_ids": [c.scenario_id for c in result.chats],
            "started_at": result.started_at, "tip": result.tip}


@dataclass
class AgentSkillRecords:
    """One agent's practice sessions and blind-first records, oldest first."""

    agent: str
    practices: list[tuple[float, dict]] = field(default_factory=list)  # (ts, practice_session fields)
    practice_chats: list[tuple[float, dict]] = field(default_factory=list)
    blind_picks: list[tuple[float, dict]] = field(default_factory=list)
    blind_outcomes: list[tuple[float, dict]] = field(default_factory=list)

    def last_practised(self) -> dict[str, float]:
        """Scenario id -> when the agent last practised it: what practice selection avoids."""
        found: dict[str, float] = {}
        for ts, fields in self.practice_chats:
            scenario = fields.get("scenario_id")
            if isinstance(scenario, str):
                found[scenario] = max(ts, found.get(scenario, ts))
        return found


# Where each kind goes in AgentSkillRecords (the team store reads the same records: copilot/teamstore/source.py).
FIELD_FOR_KIND = {"practice_session": "practices", "practice_chat": "practice_chats", "blind_pick": "blind_picks",
                  "blind_outcome": "blind_outcomes"}
_QUERY = f"""
SELECT a.name, s.uuid, e.ts, e.kind, e.fields FROM events e JOIN sessions s ON s.id = e.session_id
JOIN agents a ON a.id = s.agent_id
WHERE e.kind IN ({", ".join("?" * len(KINDS))}) AND e.ts >= ? AND e.ts < ? {{agent}} ORDER BY e.ts, e.id"""
_FAR = 1e18


def read_skill_records(conn: sqlite3.Connection, agent: str | None = None, since: float | None = None,
                       until: float | None = None, seen: set | None = None) -> dict[str, AgentSkillRecords]:
    """Agent name -> their records in [since, until), from one open usage log (read-only is enough).

    A record whose fields are not a JSON object (a damaged row) is skipped, not fatal. `seen`, shared
    across files, skips a session's records read before from another file (a copied log).
    """
    params: list = [*KINDS, -_FAR if since is None else since, _FAR if until is None else until]
    sql = _QUERY.format(agent="AND a.name = ?" if agent is not None else "")
    if agent is not None:
        params.append(agent)
    found: dict[str, AgentSkillRecords] = {}
    for name, session_uuid, ts, kind, text in conn.execute(sql, params):
        if seen is not None:
            key = (session_uuid, kind, ts, text)
            if key in seen:
                continue
            seen.add(key)
        try:
            fields = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(fields, dict) and isinstance(ts, (int, float)):
            records = found.setdefault(name, AgentSkillRecords(name))
            getattr(records, FIELD_FOR_KIND[kind]).append((float(ts), fields))
    return found


def read_skill_files(paths: list[str | Path], agent: str | None = None, since: float | None = None,
                     until: float | None = None) -> dict[str, AgentSkillRecords]:
    """The same over several usage logs (a team's), opened read-only; merged per agent.

    Raises copilot.usage.errors.UsageLogError for a file that is not a usable usage log.
    """
    from copilot.usage.read_only import open_read_only

    merged: dict[str, AgentSkillRecords] = {}
    seen: set = set()
    for path in paths:
        conn = open_read_only(Path(path))
        try:
            for name, records in read_skill_records(conn, agent, since, until, seen).items():
                into = merged.setdefault(name, AgentSkillRecords(name))
                for kind in ("practices", "practice_chats", "blind_picks", "blind_outcomes"):
                    getattr(into, kind).extend(getattr(records, kind))
        finally:
            conn.close()
    for records in merged.values():
        for kind in ("practices", "practice_chats", "blind_picks", "blind_outcomes"):
            getattr(records, kind).sort(key=lambda item: item[0])
    return merged
