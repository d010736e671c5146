"""The LLM engine: an AssistEngine whose diagnosis and drafts come from an OpenAI-compatible model.

It reads the same playbooks as the offline engine and grounds each draft in them: the prompt gives
the category's steps, what is still missing, and the offline engine's slot-filled reply as the
model answer to adapt. The model's output is then checked (evidence must be the customer's words,
categories must exist, drafts are screened by the guard) before the agent sees anything.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from copilot.assist import drafting, slots
from copilot.assist.engine import Conversation, DraftRequest
from copilot.assist.llm import guard, prompts
from copilot.assist.llm.client import NEVER, chat_model
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.diagnosis import Diagnoser, IssueDiagnosis
from copilot.assist.llm.drafter import stream_text
from copilot.assist.llm.errors import LLMError
from copilot.assist.playbooks import Playbook
from copilot.core.modes import DraftKind, EngineName
from copilot.core.suggestion import CategoryScore, Citation, Diagnosis, Draft

ABSTAIN_BELOW = 0.5  # a model this unsure gives a hint, not a diagnosis
DIAGNOSIS_TOKENS = 96  # the JSON answer is short; a cap keeps a rambling model from stalling
MAX_EVIDENCE = 4
OnText = Callable[[str], None]  # called with the draft so far


class Unmasking:
    """The draft so far with the customer's name put back, grown piece by piece: each piece is
    unmasked once and appended (the text is never re-joined or re-read from the start).

    A piece may end inside the name's placeholder ("[NA" + "ME]"), and without a first name the
    placeholder takes the spaces before it along: such a tail waits for the next piece."""

    def __init__(self, masker: prompts.Masker):
        self.masker = masker
        self.text = ""
        self._held = ""

    def add(self, piece: str) -> str:
        raw = self._held + piece
        partial = next((k for k in range(len(prompts.NAME) - 1, 0, -1) if raw.endswith(prompts.NAME[:k])), 0)
        start = len(raw) - partial
        while not self.masker.first_name and start > 0 and raw[start - 1].isspace():
            start -= 1
        ready, self._held = raw[:start], raw[start:]
        if ready:
            self.text += self.masker.back(ready)
            if not self.text.strip():
                self.text = ""  # the draft starts at its first visible character
            elif self.text[0].isspace():
                self.text = self.text.lstrip()
        return self.text


class LLMEngine:
    name = EngineName.LLM
    note = ""

    def __init__(self, config: LLMConfig, playbooks: dict[str, Playbook], api_key: str | None = None):
        self.config = config.validated()
        self.playbooks = playbooks
        self.labels = {bid: book.name for bid, book in playbooks.items()}
        self.display_name = f"llm:{config.model_name}"
        self._api_key = api_key
        self._lock = threading.Lock()
        self._model = None
        self._diagnoser: Diagnoser | None = None
        self.knowledge = None  # a copilot.knowledge KnowledgeBase: drafts are then grounded in its items

    def _ready(self) -> tuple[object, Diagnoser]:
        """Chat models are made on first use, on a worker thread: importing langchain takes seconds."""
        with self._lock:
            if self._model is None:
                self._model = chat_model(self.config, self._api_key)
                diagnosis_model = chat_model(self.config, self._api_key, max_tokens=DIAGNOSIS_TOKENS)
                self._diagnoser = Diagnoser(diagnosis_model, self.config, self.labels, DIAGNOSIS_TOKENS,
                                            self._api_key)
            return self._model, self._diagnoser

    def warm_up(self) -> None:
        self._ready()

    def complete(self, messages, cancelled: Callable[[], bool] = NEVER) -> str:
        """The model's whole answer to `messages` with the draft model, its deadline and retries: for
        requests other than drafts (wrap-up notes, translations)."""
        return stream_text(self._ready()[0], messages, self.config, None, cancelled, self._api_key)

    def masker(self, conversation: Conversation) -> prompts.Masker:
        return prompts.Masker(conversation.customer_name, self.config.redacts)

    # ---- diagnosis ---------------------------------------------------------------------------
    def diagnose(self, conversation: Conversation, cancelled: Callable[[], bool] = NEVER) -> Diagnosis:
        texts = [t for t in conversation.customer_texts if t.strip()]
        if not texts:
            return Diagnosis(top=(), abstained=True)
        _, diagnoser = self._ready()
        masker = self.masker(conversation)
        answer = diagnoser.run(prompts.diagnosis_messages(conversation, self.playbooks, masker), cancelled)
        return self.to_diagnosis(answer, texts, masker)

    def to_diagnosis(self, answer: IssueDiagnosis, texts: list[str], masker: prompts.Masker) -> Diagnosis:
        known = answer.category in self.playbooks
        confidence = round(answer.confidence if known else 0.0, 4)
        others = [c for c in answer.alternatives if c in self.playbooks][:2]
        share = round((1.0 - confidence) / max(1, len(others)), 4) if others else 0.0
        top = ((CategoryScore(answer.category, self.labels[answer.category], confidence),) if known else ())
        top += tuple(CategoryScore(c, self.labels[c], min(share, confidence or share)) for c in others)
        # Evidence must be the customer's own words (as the model saw them): invented quotes go.
        seen = " ".join(masker.out(t) for t in texts).lower()
        quotes = (e.strip() for e in answer.evidence)
        evidence = tuple(dict.fromkeys(q for q in quotes if q and q.lower() in seen))
        if not known or confidence < ABSTAIN_BELOW:
            return Diagnosis(top=top, abstained=True, evidence=evidence[:MAX_EVIDENCE])
        book = self.playbooks[answer.category]
        recent = texts[-6:]
        missing = [item.label for item in drafting.missing_items(book, slots.extract(recent), recent)]
        for extra in answer.missing:  # what the model noticed beyond the playbook, briefly
            if extra.strip().lower() in prompts.PLACEHOLDERS:
                continue  # a small model copying the answer template
            if len(missing) < 4 and extra.strip() and extra.lower() not in " ".join(missing).lower():
                missing.append(extra.strip()[:60])
        return Diagnosis(top=top, abstained=False, evidence=evidence[:MAX_EVIDENCE], steps=book.steps,
                         missing=tuple(missing), needs_human=book.needs_human or not book.ai_eligible)

    # ---- drafting ----------------------------------------------------------------------------
    def write_draft(self, conversation: Conversation, diagnosis: Diagnosis, request: DraftRequest,
                    on_text: OnText | None = None, cancelled: Callable[[], bool] = NEVER) -> Draft | None:
        """The engine interface (copilot/assist/engine.py): streamed as it is written."""
        if request.kind is DraftKind.DEESCALATION:
            return self.stream_deescalation(conversation, diagnosis, request.reason, on_text, cancelled)
        return self.stream_draft(conversation, diagnosis, on_text, cancelled)

    def stream_draft(self, conversation: Conversation, diagnosis: Diagnosis, on_text: OnText | None = None,
                     cancelled: Callable[[], bool] = NEVER) -> Draft | None:
        """A draft from the diagnosed playbook, streamed; None when there is no confident diagnosis."""
        if diagnosis.abstained or diagnosis.best is None:
            return None
        book = self.playbooks.get(diagnosis.best.category)
        if book is None:
            return None
        masker = self.masker(conversation)
        sources = self.sources(conversation, diagnosis)
        return self._stream(conversation, self.draft_prompt(conversation, book, masker, sources), masker, book,
                            book.id, on_text, cancelled, sources)

    def stream_deescalation(self, conversation: Conversation, diagnosis: Diagnosis, reason: str,
                            on_text: OnText | None = None, cancelled: Callable[[], bool] = NEVER) -> Draft:
        """An upset customer: the model adapts the de-escalation playbook's reply (apology,
        acknowledgement, one concrete next step), checked against the diagnosed playbook if any."""
        from copilot.assist.escalation.deescalation import deescalation_draft

        example = deescalation_draft(conversation, diagnosis, reason=reason)
        confident = not diagnosis.abstained and diagnosis.best is not None
        book = self.playbooks.get(diagnosis.best.category) if confident else None
        masker = self.masker(conversation)
        messages = prompts.deescalation_messages(conversation, book, example.text, masker)
        return self._stream(conversation, messages, masker, book, example.category, on_text, cancelled)

    def _stream(self, conversation: Conversation, messages, masker: prompts.Masker, book: Playbook | None,
                category: str, on_text: OnText | None, cancelled: Callable[[], bool],
                sources: list[tuple[Citation, str]] = ()) -> Draft:
        model, _ = self._ready()
        shown = Unmasking(masker)

        def on_piece(piece: str) -> None:
            text = shown.add(piece)
            if on_text is not None and text:
                on_text(prompts.strip_citations(text)[0] if "[" in text else text)

        raw = masker.back(stream_text(model, messages, self.config, on_piece, cancelled, self._api_key))
        text, cited = prompts.strip_citations(raw)
        text = text.strip()
        if not text:
            raise LLMError("bad_output", "The model returned an empty draft.")
        citations = tuple(sources[n - 1][0] for n in cited if 1 <= n <= len(sources))
        return guard.checked(Draft(text, category, citations=citations), book, conversation.customer_texts,
                             tuple(body for _, body in sources), cited)

    def sources(self, conversation: Conversation, diagnosis: Diagnosis) -> list[tuple[Citation, str]]:
        """The knowledge items to ground the draft in (best three for the chat), with their text:
        saved replies filled from the chat, articles from their opening."""
        if self.knowledge is None:
            return []
        found = []
        for hit in self.knowledge.top_for(conversation, diagnosis):
            item = self.knowledge.get(hit.id)
            if item is None:
                continue
            text = self.knowledge.fill(item, conversation).text if item.kind == "reply" else item.body
            found.append((Citation(item.id, item.title, item.kind, item.url), text[: prompts.SOURCE_CHARS]))
        return found

    def draft_prompt(self, conversation: Conversation, book: Playbook, masker: prompts.Masker,
                     sources: list[tuple[Citation, str]] = ()) -> list[tuple[str, str]]:
        """The draft request: the playbook, what is still missing, its slot-filled reply to adapt, and
        the team's own saved replies and articles to cite."""
        texts = conversation.customer_texts[-6:]
        found = slots.extract(texts)
        example = drafting.compose(book, found, texts, conversation.customer_name)
        missing = tuple(item.label for item in drafting.missing_items(book, found, texts))
        given = [(citation.title, body) for citation, body in sources]
        return prompts.draft_messages(conversation, book, missing, example, masker, given)

    def draft(self, conversation: Conversation, diagnosis: Diagnosis) -> Draft | None:
        return self.stream_draft(conversation, diagnosis)
