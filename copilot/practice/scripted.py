"""A scripted agent practising without the copilot: its choices depend on its unassisted skill.

Skill is a number from 0 to 1. In each chat the agent
- names the issue: the right one with probability `p_diagnosis`, else another one (then acts on
  that wrong idea, says something that does not help, and reconsiders after each complaint);
- asks for each fact the resolution needs with probability `p_ask` (a skilled agent asks for them
  all in one message); a fact it skips it asks for only when the customer points it out;
- offers the right remedy with probability `p_remedy`, else first something that does not help;
- makes a promise the playbook forbids with probability `p_forbidden`, in the offer;
- takes time to think and type, less the more skilled it is.
Harder scenarios lower the probabilities a little. The scenario's own wording (the `ask` and
`offer` lines) is what the agent says when it does the right thing, as the self-test's agents do.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from copilot.practice.promises import promises_for
from copilot.sources.customer import ANYTHING_ELSE
from copilot.sources.scenario import ISSUE_TYPES, OUT_OF_SCOPE, Scenario

# Item difficulties on the skill scale (an item response model: P(right) = logistic((skill - b) / SPREAD)).
ITEM_DIFFICULTY = {"easy": 0.50, "medium": 0.70, "hard": 0.90}
SPREAD = 0.10  # how gradually success rises around an item's difficulty: smaller is more consistent
# Some decisions are easier than naming the issue: asking for the facts, offering the remedy once
# the issue is known, and not making a forbidden promise.
# Putting a wrong diagnosis right is easier once the customer has complained that it does not help.
EASIER = {"diagnosis": 0.0, "ask": 0.05, "remedy": 0.10, "recover": 0.15, "promise": 0.20}
# Things an agent on the wrong track says: they answer nothing, so the customer is not helped.
OFF_TRACK = (
    "I've checked on our side and everything looks normal with your account.",
    "Our system shows no problem here, so it should sort itself out.",
    "That's handled by another team, so there's not much I can do from here.",
    "Have you tried logging out and back in again?",
)


@dataclass(frozen=True)
class SkillModel:
    """How a skill level turns into probabilities and times (docs/skill.md explains the choice)."""

    skill: float

    def p(self, decision: str, difficulty: str) -> float:
        """The chance of getting `decision` right in a scenario of `difficulty`."""
        b = ITEM_DIFFICULTY[difficulty] - EASIER[decision]
        return 1.0 / (1.0 + math.exp(-(self.skill - b) / SPREAD))

    def think_seconds(self, rng: random.Random) -> float:
        return rng.uniform(5.0, 12.0) * (1.6 - 0.8 * self.skill)

    def typing_seconds(self, text: str) -> float:
        return len(text) / (3.5 + 3.0 * self.skill)  # characters per second


@dataclass
class _ChatPlan:
    scenario: Scenario
    on_track: bool = False
    wrong_issue: str = ""
    script: list[str] = field(default_factory=list)
    said_goodbye: bool = False


class UnassistedAgent:
    """Drives a PracticeSession: `respond(chat_id, now)` returns what to say (or None) and names issues."""

    def __init__(self, skill: float, seed: int = 0):
        if not 0.0 <= skill <= 1.0:
            raise ValueError(f"skill must be between 0 and 1, not {skill}")
        self.model = SkillModel(skill)
        self.rng = random.Random(f"unassisted/{seed}")
        self.plans: dict[str, _ChatPlan] = {}

    def delay(self, text: str) -> float:
        """Seconds from the customer's message to this reply being sent."""
        return self.model.think_seconds(self.rng) + self.model.typing_seconds(text)

    def respond(self, session, chat_id: str, now: float) -> str | None:
        scenario = session.simulator.scenario_of(chat_id)
        plan = self.plans.get(chat_id)
        if plan is None:
            plan = self.plans[chat_id] = _ChatPlan(scenario)
            self._diagnose(session, chat_id, plan, now)
        if session.simulator.resolved(chat_id):
            if plan.said_goodbye:
                return None
            plan.said_goodbye = True
            return ANYTHING_ELSE
        if not plan.on_track and plan.script == []:
            self._diagnose(session, chat_id, plan, now)  # after a complaint: think again
        if plan.script:
            return plan.script.pop(0)
        return session.hint_reply(chat_id)  # prompted by the customer: ask what they point out, offer again

    def _diagnose(self, session, chat_id: str, plan: _ChatPlan, now: float) -> None:
        """Name the issue; on the wrong track, say something unhelpful and think again after the complaint."""
        difficulty = plan.scenario.expectations.difficulty
        decision = "recover" if plan.wrong_issue else "diagnosis"
        if self.rng.random() < self.model.p(decision, difficulty):
            plan.on_track = True
            session.name_issue(chat_id, plan.scenario.issue, now)
            plan.script = self._right_plan(plan.scenario, difficulty)
            return
        if not plan.wrong_issue:  # one wrong idea per chat, held until it is given up
            plan.wrong_issue = self.rng.choice([i for i in (*ISSUE_TYPES, OUT_OF_SCOPE) if i != plan.scenario.issue])
            session.name_issue(chat_id, plan.wrong_issue, now)
        plan.script = [self.rng.choice(OFF_TRACK)]

    def _right_plan(self, scenario: Scenario, difficulty: str) -> list[str]:
        m, rng = self.model, self.rng
        resolution = rng.choice(scenario.resolutions)
        asks = []
        for fact in resolution.requires:
            rule = scenario.rule_revealing(fact)
            if rule is not None and rule.ask and rng.random() < m.p("ask", difficulty):
                asks.append(scenario.fill(rule.ask))
        asks = list(dict.fromkeys(asks))
        if len(asks) > 1 and rng.random() < m.skill:
            asks = [" ".join(asks)]
        script = asks
        if rng.random() >= m.p("remedy", difficulty):
            script.append(rng.choice(OFF_TRACK))
        offer = scenario.fill(resolution.offer)
        promises = promises_for(scenario)
        if promises and rng.random() >= m.p("promise", difficulty):
            offer = f"{offer} {scenario.fill(rng.choice(promises).example)}"
        script.append(offer)
        return script
