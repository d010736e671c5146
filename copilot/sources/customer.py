"""One scripted customer's side of the conversation: what they say back to each agent message.

No timing here (the simulator decides when things are typed); this is the part that reads the
agent's words, hands out facts, and keeps count of how well the chat is going.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from copilot.sources import lines as L
from copilot.sources.scenario import ReplyRule, Resolution, Scenario

ANYTHING_ELSE = "Is there anything else I can help you with today?"
HOLD_ON = "Thank you, one moment please."
MAX_REPEATS_IN_A_ROW = 2  # asked again for facts already given: the third time counts as unhelpful


@dataclass(frozen=True)
class Reaction:
    kind: str  # answer | resolved | premature | unhelpful | hold | closing
    lines: tuple[str, ...] = ()
    frustrated: bool = False  # the lines express frustration (for scoring)
    leaves: bool = False  # leaves right after saying the lines
    satisfied: bool = False  # ...and if so, happy
    waits: bool = True  # expects the agent to answer afterwards
    reveals: tuple[str, ...] = ()  # facts in the lines: collected once the lines are delivered
    offered: bool = False  # the agent's message offered a correct resolution (in time or too early)


class Customer:
    def __init__(self, scenario: Scenario, rng: random.Random):
        self.scenario = scenario
        self.rng = rng
        self.revealed: set[str] = set()
        self.pending: set[str] = set()  # facts in replies still being typed
        self.resolved = False
        self.resolved_with = ""  # the `expected` of the resolution that resolved it
        self.unhelpful_count = 0
        self._holds_in_a_row = 0

    @property
    def style(self) -> str:
        return self.scenario.persona.style

    @property
    def impatient_lines(self) -> tuple[str, ...]:
        return tuple(map(self.scenario.fill, self.scenario.impatient or L.IMPATIENT[self.style]))

    @property
    def unhelpful_lines(self) -> tuple[str, ...]:
        return tuple(map(self.scenario.fill, self.scenario.unhelpful or L.UNHELPFUL[self.style]))

    def opening(self) -> tuple[str, ...]:
        return tuple(map(self.scenario.fill, self.scenario.opening))

    def missing(self, resolution: Resolution | None = None) -> list[str]:
        """Facts the (main) resolution requires that the agent has not got out of the customer yet."""
        resolution = resolution or self.scenario.resolution
        return [fact for fact in resolution.requires if fact not in self.revealed]

    _repeats_in_a_row = 0

    def react(self, text: str) -> Reaction:
        if self.resolved:
            return Reaction("closing", (L.CLOSING[self.style],), leaves=True, satisfied=True, waits=False)
        offers = [r for r in self.scenario.resolutions if r.trigger.matches(text)]
        offered = bool(offers)
        resolution = next((r for r in offers if not self.missing(r)), None)
        if resolution is not None:
            self.resolved, self.resolved_with = True, resolution.expected
            thanks = self.scenario.fill(resolution.thanks) if resolution.thanks else L.THANKS[self.style]
            return Reaction("resolved", (thanks,), waits=False, offered=True)
        matched = [rule for rule in self.scenario.replies if rule.trigger.matches(text)]
        # Asked again for what they are typing right now: they just finish typing.
        matched = [rule for rule in matched if not rule.reveals or not set(rule.reveals) <= self.pending]
        if matched:
            self._holds_in_a_row = 0
            # Asked only for what they already gave: fine once or twice, then it is going in
            # circles and counts as an unhelpful answer (so a looping chat still ends).
            repeats = all(rule.reveals and set(rule.reveals) <= self.revealed for rule in matched)
            self._repeats_in_a_row = self._repeats_in_a_row + 1 if repeats else 0
            if self._repeats_in_a_row > MAX_REPEATS_IN_A_ROW:
                return self._unhelpful()
            said = [self._say(rule) for rule in matched]
            reveals = tuple(dict.fromkeys(fact for rule in matched for fact in rule.reveals))
            self.pending.update(reveals)
            if offered and set(self.missing(offers[0])) - set(reveals):
                said.append(self._premature(reveals, offers[0]))
            return Reaction("answer", (" ".join(said),), reveals=reveals, offered=offered)
        if offered:  # the right remedy, but without the details it needs
            self._holds_in_a_row = 0
            return Reaction("premature", (self._premature((), offers[0]),), offered=True)
        if self.pending or (L.HOLDING.search(text) and self._holds_in_a_row < L.MAX_HOLDS_IN_A_ROW):
            self._holds_in_a_row += 0 if self.pending else 1
            return Reaction("hold")
        return self._unhelpful()

    def delivered(self, reveals: tuple[str, ...]) -> None:
        """The customer's message with these facts reached the agent: now they count as collected."""
        self.revealed.update(reveals)
        self.pending.difference_update(reveals)

    def nudge(self, index: int) -> str | None:
        """The index-th impatient line while kept waiting, or None when patience is used up."""
        lines = self.impatient_lines
        return lines[index] if index < len(lines) else None

    def give_up_line(self) -> str:
        return L.GIVE_UP[self.style]

    def hint(self) -> str:
        """An agent message that moves this chat on: ask for the next fact, else offer the remedy."""
        if self.resolved:
            return ANYTHING_ELSE
        missing = [fact for fact in self.missing() if fact not in self.pending]
        if not missing and self.pending:
            return HOLD_ON
        if missing:
            rule = self.scenario.rule_revealing(missing[0])
            assert rule is not None  # the loader guarantees every required fact has a rule
            return self.scenario.fill(rule.ask)
        return self.scenario.fill(self.scenario.resolution.offer)

    def _say(self, rule: ReplyRule) -> str:
        line = self.scenario.fill(self.rng.choice(rule.say))
        if rule.reveals and all(fact in self.revealed for fact in rule.reveals):
            return self.scenario.fill(rule.again) if rule.again else L.AGAIN_PREFIX[self.style] + line
        return line

    def _premature(self, coming: tuple[str, ...] = (), resolution: Resolution | None = None) -> str:
        resolution = resolution or self.scenario.resolution
        if resolution.premature:
            return self.scenario.fill(resolution.premature)
        missing = [fact for fact in self.missing(resolution) if fact not in coming]
        return L.PREMATURE.format(label=L.fact_label(missing[0]))

    def _unhelpful(self) -> Reaction:
        self._holds_in_a_row = 0
        self.unhelpful_count += 1
        lines = self.unhelpful_lines
        line = lines[min(self.unhelpful_count, len(lines)) - 1]
        leaves = self.unhelpful_count >= len(lines)
        return Reaction("unhelpful", (line,), frustrated=True, leaves=leaves, waits=not leaves)
