"""One concrete tip per practice chat: about the part of the score that lost the most points, except
that a wrong (or missing) diagnosis comes first when the chat was not resolved: it is the root cause.

A tip names what to do differently in words taken from the chat itself: the customer's opening, the
question that gets the missing fact, the words of the forbidden promise, the playbook's step.
"""
from __future__ import annotations

from copilot.practice.transcript import Part, PracticeChat
from copilot.sources import lines as L
from copilot.sources.outcome import ChatOutcome
from copilot.sources.scenario import ForbiddenPromise, Resolution

_EXCERPT = 90  # characters of the customer's opening quoted in a diagnosis tip


def tip_for(chat: PracticeChat, outcome: ChatOutcome, parts: tuple[Part, ...], resolution: Resolution,
            breaches: list[tuple[ForbiddenPromise, str]]) -> str:
    worst = max(parts, key=lambda p: p.lost)  # the first of equals: parts come in order of importance
    if not outcome.resolved_correctly and parts[0].points == 0.0:
        worst = parts[0]
    if worst.lost <= 0.01:
        return "Nothing to improve in this chat: right issue, right facts, right remedy, in good time."
    tips = {"diagnosis": _diagnosis, "facts": _facts, "resolution": _resolution, "promises": _promises,
            "satisfaction": _satisfaction, "time": _time}
    return tips[worst.key](chat, outcome, resolution, breaches)


def _diagnosis(chat, outcome, resolution, breaches) -> str:
    from copilot.practice.issues import issue_label, issue_steps

    truth = issue_label(chat.scenario.issue)
    opening = chat.scenario.fill(" ".join(chat.scenario.opening))
    excerpt = opening if len(opening) <= _EXCERPT else opening[:_EXCERPT].rsplit(" ", 1)[0] + "…"
    steps = issue_steps(chat.scenario.issue)
    first_step = f" Its playbook starts: {steps[0]}" if steps else ""
    if not chat.named:
        return f"Name the issue as soon as you know it. \"{excerpt}\" is {truth}.{first_step}"
    return f"Read the opening again: \"{excerpt}\" points to {truth}, not {issue_label(chat.first_named)}.{first_step}"


def _facts(chat, outcome, resolution, breaches) -> str:
    when = dict(outcome.facts_collected_at)
    cutoff = outcome.first_offer_at
    missing = [f for f in resolution.requires if f not in when or (cutoff is not None and when[f] > cutoff)]
    fact = missing[0] if missing else resolution.requires[0]
    rule = chat.scenario.rule_revealing(fact)
    ask = f" For example: \"{chat.scenario.fill(rule.ask)}\"" if rule is not None and rule.ask else ""
    labels = " and ".join(f"the {L.fact_label(f)}" for f in missing) or f"the {L.fact_label(fact)}"
    return f"Ask for {labels} before you offer {_remedy(resolution.expected)}.{ask}"


def _resolution(chat, outcome, resolution, breaches) -> str:
    if outcome.first_offer_at is not None:
        missing = [f for f in resolution.requires if f not in dict(outcome.facts_collected_at)]
        need = " and ".join(f"the {L.fact_label(f)}" for f in missing) or "the facts it needs"
        return f"You offered {_remedy(resolution.expected)} too early: get {need} first, then offer it again."
    offer = chat.scenario.fill(resolution.offer)
    return f"This customer needed {_remedy(resolution.expected)}. Once you have what it needs, offer it plainly, " \
           f"e.g. \"{offer}\""


def _promises(chat, outcome, resolution, breaches) -> str:
    promise, quote = breaches[0]
    return f"Don't write \"{quote}\": {promise.why}"


def _satisfaction(chat, outcome, resolution, breaches) -> str:
    if not outcome.resolved_correctly and not outcome.unhelpful_replies and not outcome.impatient_messages:
        return _resolution(chat, outcome, resolution, breaches)
    if outcome.unhelpful_replies >= max(1, outcome.impatient_messages):
        return (f"{outcome.unhelpful_replies} of your replies did not answer what the customer asked: answer "
                "their question first, then move the chat on.")
    return (f"The customer nudged you {outcome.impatient_messages} time(s) while waiting: when you need time, "
            "say so (\"Let me check that for you\") so they are not left waiting in silence.")


def _time(chat, outcome, resolution, breaches) -> str:
    took = (outcome.resolved_at or outcome.opened_at) - outcome.opened_at
    target = chat.scenario.expectations.target_seconds
    facts = " and ".join(f"the {L.fact_label(f)}" for f in resolution.requires)
    ask_once = f" Ask for {facts} in one message to save a round trip." if len(resolution.requires) > 1 else \
        " Reply as soon as the customer answers, and offer the remedy as soon as you have what it needs."
    return f"You took {round(took)} s against a target of {round(target)} s.{ask_once}"


def _remedy(expected: str) -> str:
    return f"'{expected.replace('_', ' ')}'"
