"""The gentle nudge to practise: when reliance is flagged or skill is falling, and not too often.

The rule (docs/skill.md):
- skill falling (decline.py), and no practice in the last SOON_DAYS days: nudge;
- passive over-reliance flagged in the latest week the usage log judged (if it began in the last two
  weeks), and no practice in the last SOON_DAYS days: nudge. Practising twice a week while either holds doubles what the monitor
  sees, which is when it matters most (a 5 % decline takes many practices to tell from noise);
- otherwise no nudge. It is an invitation: nothing is blocked, and the agent can say "not now".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copilot.practice.monitor import AgentSkill

SOON_DAYS = 3.5  # twice a week
DAY = 86_400.0


@dataclass(frozen=True)
class Nudge:
    reason: str  # falling | reliance
    text: str

    def to_dict(self) -> dict:
        return {"reason": self.reason, "text": self.text}


def nudge_for(skill: AgentSkill, now: float) -> Nudge | None:
    recently = skill.last_practice_at is not None and now - skill.last_practice_at < SOON_DAYS * DAY
    if recently:
        return None
    if skill.decline.falling:
        return Nudge("falling", "Your practice scores have dipped below your usual. Ten minutes of practice "
                                "without suggestions (Copilot ▸ Practice…) keeps your own diagnosis sharp.")
    if skill.reliance_flagged:
        return Nudge("reliance", "Most drafts went out unedited this week. A short practice without suggestions "
                                 "(Copilot ▸ Practice…) checks that your own judgement stays sharp.")
    return None
