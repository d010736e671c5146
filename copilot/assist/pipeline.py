"""One suggestion, made the same way for every engine: diagnose, then write the draft asked for.

This is the only place a suggestion is made (the app's coordinator, `copilot suggest` and the
self-test all call `make_suggestion`). It runs on a worker thread. It decides nothing about which
draft is wanted (the coordinator did, in the request); it decides which engine answers: the
configured one, or the offline engine when the configured one is resting or fails, and it
records which engine made the diagnosis and which made the draft.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from copilot.assist import drafting, slots
from copilot.assist.engine import Conversation, DraftRequest, IsCancelled, OnText, never
from copilot.assist.engines import Engines
from copilot.assist.llm.errors import Cancelled
from copilot.core.modes import DraftKind, EngineName
from copilot.core.suggestion import CategoryScore, Diagnosis, Draft, Suggestion

MAX_TURNS = 6  # the turns the playbook's "still needed" check reads, as the engines do


@dataclass(frozen=True)
class SuggestionRequest:
    conversation: Conversation
    draft: DraftRequest = field(default_factory=DraftRequest)
    # DraftKind.CHOSEN: the agent's category, and the engine's diagnosis they chose it over
    category: str = ""
    previous: Diagnosis | None = None
    previous_engine: EngineName | None = None


def chosen_diagnosis(books: dict, conversation: Conversation, previous: Diagnosis | None, category: str) -> Diagnosis:
    """The diagnosis for the category the agent named: its playbook's steps and what is still
    missing, the engine's other candidates after it, and the engine's evidence. Raises ValueError
    for a category with no playbook."""
    book = books.get(category)
    if book is None:
        raise ValueError(f"there is no playbook for the category {category!r}")
    earlier = previous.top if previous is not None else ()
    chosen = next((c for c in earlier if c.category == category), CategoryScore(category, book.name, 0.0))
    others = tuple(c for c in earlier if c.category != category)
    found = slots.extract_turns((t.sender, t.text) for t in conversation.turns)
    texts = conversation.customer_texts[-MAX_TURNS:]
    missing = tuple(item.label for item in drafting.missing_items(book, found, texts))
    return Diagnosis(top=(chosen, *others)[:3], abstained=False,
                     evidence=previous.evidence if previous is not None else (), steps=book.steps,
                     missing=missing, needs_human=book.needs_human or not book.ai_eligible, chosen_by_agent=True)


def make_suggestion(engines: Engines, request: SuggestionRequest, now: Callable[[], float],
                    on_text: OnText | None = None, cancelled: IsCancelled = never) -> Suggestion:
    """Raises copilot.assist.llm.errors.Cancelled when `cancelled()` turns true; any other
    exception is a failure of the offline engine itself (the configured one falls back)."""
    conversation, notices = request.conversation, []
    if request.draft.kind is DraftKind.CHOSEN:
        diagnosis = chosen_diagnosis(engines.playbooks, conversation, request.previous, request.category)
        diagnosis_engine = request.previous_engine or engines.configured
    else:
        diagnosis, diagnosis_engine = _diagnose(engines, conversation, cancelled, notices)
    if cancelled():
        raise Cancelled()
    draft, draft_engine = _draft(engines, conversation, diagnosis, request.draft,
                                 offline_only=diagnosis_engine is EngineName.OFFLINE_FALLBACK,
                                 on_text=on_text, cancelled=cancelled, notices=notices)
    fell_back = EngineName.OFFLINE_FALLBACK in (diagnosis_engine, draft_engine)
    return Suggestion(conversation.chat_id, conversation.message_id, diagnosis, draft,
                      engine=f"{engines.offline.display_name} (fallback)" if fell_back else engines.label,
                      created_at=now(), draft_kind=request.draft.kind, diagnosis_engine=diagnosis_engine,
                      draft_engine=draft_engine if draft is not None else None, notice=" ".join(notices))


def _diagnose(engines: Engines, conversation: Conversation, cancelled: IsCancelled,
              notices: list[str]) -> tuple[Diagnosis, EngineName]:
    if not engines.has_fallback:
        return engines.primary.diagnose(conversation, cancelled), engines.primary.name
    if not engines.health.resting():
        try:
            return engines.primary.diagnose(conversation, cancelled), engines.primary.name
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever failed, the agent gets the offline diagnosis
            _note(notices, engines.health.failed(exc, "diagnosis"))
    return engines.offline.diagnose(conversation, cancelled), EngineName.OFFLINE_FALLBACK


def _draft(engines: Engines, conversation: Conversation, diagnosis: Diagnosis, request: DraftRequest, *,
           offline_only: bool, on_text: OnText | None, cancelled: IsCancelled,
           notices: list[str]) -> tuple[Draft | None, EngineName]:
    if not engines.has_fallback:
        return engines.primary.write_draft(conversation, diagnosis, request, on_text, cancelled), engines.primary.name
    if not offline_only and not engines.health.resting():
        try:
            return engines.primary.write_draft(conversation, diagnosis, request, on_text, cancelled), engines.primary.name
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001
            _note(notices, engines.health.failed(exc, "draft"))
    return engines.offline.write_draft(conversation, diagnosis, request), EngineName.OFFLINE_FALLBACK


def _note(notices: list[str], text: str) -> None:
    if text:
        notices.append(text)
