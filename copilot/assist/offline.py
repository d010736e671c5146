"""The offline engine: a local classifier for the diagnosis, playbooks and templates for the draft.

It is the app's default: no endpoint, no key, no network. The whole conversation so far is read
(customer turns, the latest weighted most), so "it's #12345" after "my parcel is late" stays a
late-delivery diagnosis, while a customer who changes topic moves the diagnosis with them.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from copilot.assist import drafting, language_gate, slots
from copilot.assist.engine import Conversation, DraftRequest
from copilot.assist.features import HEAD_CHARS, TAIL_CHARS, clip
from copilot.assist.model import TextModel, mix
from copilot.assist.playbooks import Playbook, load_playbooks
from copilot.core.modes import DraftKind, EngineName
from copilot.core.suggestion import CategoryScore, Diagnosis, Draft

RECENCY = 0.6  # weight of a customer turn relative to the one after it
MAX_TURNS = 6  # older turns than this no longer count toward the diagnosis


def default_model_dir() -> Path:
    from copilot.paths import resource

    return resource("models", "default")


def fallback_model_dir() -> Path:
    """The same examples trained on n-grams only: used when the embeddings package is missing."""
    from copilot.paths import resource

    return resource("models", "default-ngrams")


def default_playbooks_dir() -> Path:
    from copilot.paths import resource

    return resource("playbooks")


def readable(conversation: Conversation) -> Conversation:
    """The conversation with every turn clipped to what the engine reads (features.clip): a 10 MB
    message costs what a long one does, in the classifier and in the slot patterns alike."""
    if all(len(t.text) <= HEAD_CHARS + TAIL_CHARS for t in conversation.turns):
        return conversation
    return replace(conversation, turns=tuple(replace(t, text=clip(t.text)) for t in conversation.turns))


class OfflineEngine:
    name = EngineName.OFFLINE
    display_name = "offline"

    def __init__(self, model: TextModel, playbooks: dict[str, Playbook], note: str = ""):
        self.model = model
        self.playbooks = playbooks
        self.note = note  # why a fallback was used, for the UI to show ("" when all is well)
        # the languages of the training examples; a model folder may list its own in model.json's info
        self.languages = tuple(model.info.get("languages", language_gate.TRAINED))
        self.knowledge = None  # a copilot.knowledge KnowledgeBase: drafts then use and cite the team's items

    @classmethod
    def load(cls, model_dir: Path | str, playbooks_dir: Path | str | None = None) -> "OfflineEngine":
        books = load_playbooks(Path(playbooks_dir) if playbooks_dir else default_playbooks_dir())
        return cls(TextModel.load(Path(model_dir)), books)

    @classmethod
    def load_default(cls) -> "OfflineEngine":
        """The shipped model; its n-gram-only twin if the embeddings package is not installed."""
        try:
            return cls.load(default_model_dir(), default_playbooks_dir())
        except RuntimeError as exc:
            engine = cls.load(fallback_model_dir(), default_playbooks_dir())
            engine.note = f"Using the simpler built-in model (less accurate): {exc}"
            return engine

    # ---- diagnosis ---------------------------------------------------------------------------
    def label(self, category: str) -> str:
        book = self.playbooks.get(category)
        return book.name if book else category.replace("_", " ").capitalize()

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Class probabilities for the customer's turns (oldest first), recent turns weighted more.

        Turns are mixed in feature space, so two half-sentences add up, and each turn is first
        weighted by how much it says: a content-free reply ("it's #48213", "yes") or a nudge while
        waiting for the agent ("hello?", "still waiting for a reply") that the model alone would
        call out-of-scope barely counts, so the topic set earlier carries on. Such turns also
        barely age the turns before them: a turn's age is what the customer has said since, not
        how many times they wrote, so three nudges do not push the actual request out of view.
        """
        texts = [t for t in texts if t.strip()][-MAX_TURNS:]
        if not texts:
            return np.full(len(self.model.classes), 1.0 / len(self.model.classes))
        rows = [self.model.row(t) for t in reversed(texts)]  # newest first
        if len(rows) == 1:
            return self.model.proba_row(rows[0])
        weights, age = [], 0.0
        for row in rows:
            says = self._says(row)
            weights.append(RECENCY ** age * says)
            age += says
        return self.model.proba_row(mix(rows, weights))

    def _says(self, row) -> float:
        """How much one turn says about an issue: 1 minus the model's out-of-scope probability for
        it alone, at least 0.05 (1 when the model has no out-of-scope class)."""
        oos = self.model.oos_index
        return 1.0 if oos is None else 0.05 + 0.95 * (1.0 - self.model.oos_probability(row))

    def _evidence_texts(self, texts: list[str]) -> list[str]:
        """The two newest turns that say something about the issue, so the evidence shown is the
        words that carried the diagnosis, not those of a later "hello?? still waiting"."""
        texts = [t for t in texts if t.strip()]
        if len(texts) < 2:
            return texts
        saying = [t for t in texts if self._says(self.model.row(t)) >= 0.5]
        return (saying or texts)[-2:]

    def diagnose(self, conversation: Conversation, cancelled=None) -> Diagnosis:
        """`cancelled` is part of the engine interface; a diagnosis here takes milliseconds."""
        conversation = readable(conversation)
        texts = conversation.customer_texts
        if not any(t.strip() for t in texts):
            return Diagnosis(top=(), abstained=True)
        foreign = language_gate.untrained_language(texts, self.languages)  # not a language it was trained on
        if foreign is not None:
            return foreign
        p = self.probabilities(texts)
        order, abstained = self.model.decide(p)
        top = tuple(CategoryScore(self.model.classes[i], self.label(self.model.classes[i]), round(float(p[i]), 4))
                    for i in order[:3])
        recent = texts[-MAX_TURNS:]
        evidence = tuple(self.model.evidence(self._evidence_texts(recent), order[0]))
        if abstained:
            return Diagnosis(top=top, abstained=True, evidence=evidence)
        book = self.playbooks.get(top[0].category)
        if book is None:
            return Diagnosis(top=top, abstained=False, evidence=evidence)
        found = slots.extract_turns((t.sender, t.text) for t in conversation.turns)
        missing = tuple(item.label for item in drafting.missing_items(book, found, recent))
        return Diagnosis(top=top, abstained=False, evidence=evidence, steps=book.steps, missing=missing,
                         needs_human=book.needs_human or not book.ai_eligible)

    # ---- drafting ----------------------------------------------------------------------------
    def draft(self, conversation: Conversation, diagnosis: Diagnosis) -> Draft | None:
        """A reply from the diagnosed playbook; None when there is no confident diagnosis."""
        if diagnosis.abstained or diagnosis.best is None:
            return None
        book = self.playbooks.get(diagnosis.best.category)
        if book is None:
            return None
        conversation = readable(conversation)
        texts = conversation.customer_texts[-MAX_TURNS:]
        found = slots.extract_turns((t.sender, t.text) for t in conversation.turns)
        text = drafting.compose(book, found, texts, conversation.customer_name)
        draft = Draft(text=text, category=book.id)
        if self.knowledge is not None:  # the team's saved replies and articles (copilot/knowledge)
            missing = bool(drafting.missing_items(book, found, texts))
            draft = drafting.grounded(draft, book, conversation, diagnosis, self.knowledge, missing)
        return draft

    def write_draft(self, conversation: Conversation, diagnosis: Diagnosis, request: DraftRequest,
                    on_text=None, cancelled=None) -> Draft | None:
        """The engine interface (copilot/assist/engine.py): the routine or chosen-category reply, or
        the de-escalation draft for an upset customer. Made in one go, so there is nothing to stream."""
        if request.kind is DraftKind.DEESCALATION:
            from copilot.assist.escalation.deescalation import deescalation_draft

            return deescalation_draft(conversation, diagnosis, reason=request.reason)
        return self.draft(conversation, diagnosis)
