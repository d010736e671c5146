"""Scoring one practice chat against its scenario's expectations: deterministic and explained.

    score = score_chat(chat, promises_for(chat.scenario))

Six parts, weighted as in transcript.WEIGHTS (they add up to 100); each says in plain words what
happened. The rules, in order:
- diagnosis: the first issue named is the scenario's issue (or one it lists in `also_right`): full;
  a wrong first pick corrected later: half; never right, or never named: none.
- facts: the required facts (of the resolution that resolved the chat, else the main one) the
  customer had given before the agent first offered a resolution (or by the end, if none was
  offered), as a share. Facts got out of the customer only after an early offer do not count.
- resolution: a correct resolution accepted by the customer: full; one offered but never with
  the facts it needs: 40 %; none offered: none.
- promises: any agent message making a promise the playbook forbids: none; else full.
- satisfaction: resolved and the customer did not leave unhappy: full, less a quarter for each
  frustrated message (nudges while kept waiting, annoyed answers); otherwise none.
- time: resolved within the scenario's target: full; falling linearly to none at three times it.
The tip (tips.py) works on the part with the most points lost.
"""
from __future__ import annotations

from copilot.practice.tips import tip_for
from copilot.practice.transcript import LABELS, WEIGHTS, ChatScore, Part, PracticeChat
from copilot.sources import lines as L
from copilot.sources.outcome import ChatOutcome
from copilot.sources.scenario import ForbiddenPromise, Resolution

EARLY_OFFER_SHARE = 0.4  # of the resolution part, for a correct remedy offered before its facts were in
CORRECTED_SHARE = 0.5  # of the diagnosis part, for a wrong first pick put right later
FRUSTRATION_COST = 0.25  # of the satisfaction part, per frustrated customer message
TIME_ZERO_AT = 3.0  # times the target, where the time part reaches zero


def score_chat(chat: PracticeChat, promises: tuple[ForbiddenPromise, ...]) -> ChatScore:
    outcome = chat.outcome
    if outcome is None:
        raise ValueError(f"chat {chat.chat_id} has no outcome yet: score it once it has ended")
    spec = chat.scenario.expectations
    resolution = _resolution_used(chat, outcome)
    breaches = _breaches(chat, promises)
    parts = (
        _diagnosis(chat),
        _facts(chat, outcome, resolution),
        _resolution_part(outcome, resolution, chat),
        _promises(breaches),
        _satisfaction(outcome),
        _time(outcome, spec.target_seconds),
    )
    seconds = None if outcome.resolved_at is None else outcome.resolved_at - outcome.opened_at
    total = sum(p.points for p in parts)
    return ChatScore(chat.chat_id, chat.number, chat.scenario.id, chat.scenario.title, chat.scenario.issue,
                     spec.difficulty, chat.first_named, total, parts,
                     tip_for(chat, outcome, parts, resolution, breaches), seconds)


def _part(key: str, share: float, why: str) -> Part:
    return Part(key, LABELS[key], WEIGHTS[key] * max(0.0, min(1.0, share)), WEIGHTS[key], why)


def _diagnosis(chat: PracticeChat) -> Part:
    from copilot.practice.issues import issue_label

    right = {chat.scenario.issue, *chat.scenario.expectations.also_right}
    truth = issue_label(chat.scenario.issue)
    if not chat.named:
        return _part("diagnosis", 0.0, f"No issue was named; it was {truth}.")
    first = chat.first_named
    if first in right:
        return _part("diagnosis", 1.0, f"You named {issue_label(first)}: right.")
    later = next((issue for _, issue in chat.named if issue in right), "")
    if later:
        return _part("diagnosis", CORRECTED_SHARE,
                     f"You first named {issue_label(first)}, then corrected it to {issue_label(later)}.")
    return _part("diagnosis", 0.0, f"You named {issue_label(chat.last_named)}; it was {truth}.")


def _resolution_used(chat: PracticeChat, outcome: ChatOutcome) -> Resolution:
    """The resolution the chat was resolved with, else the main one (what the agent should have offered)."""
    return next((r for r in chat.scenario.resolutions if r.expected == outcome.resolved_with), chat.scenario.resolution)


def _facts(chat: PracticeChat, outcome: ChatOutcome, resolution: Resolution) -> Part:
    required = resolution.requires
    if not required:
        return _part("facts", 1.0, "Nothing had to be collected in this chat.")
    when = dict(outcome.facts_collected_at)
    cutoff = outcome.first_offer_at
    in_time = [f for f in required if f in when and (cutoff is None or when[f] <= cutoff)]
    late = [f for f in required if f in when and f not in in_time]
    never = [f for f in required if f not in when]
    words = [f"{len(in_time)} of {len(required)} needed fact(s) collected"
             + (" before offering a resolution" if cutoff is not None else "")]
    if late:
        words.append(f"asked for {_labels(late)} only after offering")
    if never:
        words.append(f"never got {_labels(never)}")
    return _part("facts", len(in_time) / len(required), "; ".join(words) + ".")


def _resolution_part(outcome: ChatOutcome, resolution: Resolution, chat: PracticeChat) -> Part:
    if outcome.resolved_correctly:
        return _part("resolution", 1.0, f"You offered {_remedy(resolution.expected)}, a correct resolution.")
    correct = " or ".join(_remedy(r.expected) for r in chat.scenario.resolutions)
    if outcome.first_offer_at is not None:
        return _part("resolution", EARLY_OFFER_SHARE,
                     f"You offered {correct}, but never with the facts it needs, so it was not accepted.")
    return _part("resolution", 0.0, f"No correct resolution was offered (it needed {correct}).")


def _breaches(chat: PracticeChat, promises: tuple[ForbiddenPromise, ...]) -> list[tuple[ForbiddenPromise, str]]:
    """(promise, the agent's words that made it), once per promise, in the order they were written."""
    found: dict[str, tuple[ForbiddenPromise, str]] = {}
    for _, text in chat.agent_messages:
        for promise in promises:
            if promise.name not in found and promise.trigger.matches(text):
                found[promise.name] = (promise, _quote(promise, text))
    return list(found.values())


def _quote(promise: ForbiddenPromise, text: str) -> str:
    for pattern in promise.trigger.patterns:
        match = pattern.search(text)
        if match:
            return match.group(0)
    lowered = text.lower()
    return next((text[i:i + len(k)] for k in promise.trigger.keywords if (i := lowered.find(k)) >= 0), text[:60])


def _promises(breaches: list[tuple[ForbiddenPromise, str]]) -> Part:
    if not breaches:
        return _part("promises", 1.0, "No promise the playbook forbids.")
    said = "; ".join(f"\"{quote}\": {promise.why}" for promise, quote in breaches)
    return _part("promises", 0.0, f"You wrote {said}")


def _satisfaction(outcome: ChatOutcome) -> Part:
    if outcome.customer_left_unhappy:
        return _part("satisfaction", 0.0, "The customer left unhappy"
                     + (f" after {outcome.unhelpful_replies} unhelpful answer(s)." if outcome.unhelpful_replies
                        else " after waiting too long."))
    if not outcome.resolved_correctly:
        return _part("satisfaction", 0.0, "The customer's problem was not resolved.")
    frustrated = outcome.frustration_messages
    if not frustrated:
        return _part("satisfaction", 1.0, "Resolved without the customer getting frustrated.")
    return _part("satisfaction", 1.0 - FRUSTRATION_COST * frustrated,
                 f"Resolved, but the customer sent {frustrated} frustrated message(s) on the way.")


def _time(outcome: ChatOutcome, target: float) -> Part:
    if not outcome.resolved_correctly or outcome.resolved_at is None:
        return _part("time", 0.0, "Not resolved, so no time points.")
    took = outcome.resolved_at - outcome.opened_at
    share = 1.0 if took <= target else (TIME_ZERO_AT * target - took) / ((TIME_ZERO_AT - 1.0) * target)
    return _part("time", share, f"Resolved in {_duration(took)}; the target for this chat is {_duration(target)}.")


def _labels(facts: list[str]) -> str:
    return " and ".join(f"the {L.fact_label(f)}" for f in facts)


def _remedy(expected: str) -> str:
    return f"'{expected.replace('_', ' ')}'"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
