"""Structured diagnosis that works across servers: native JSON schema, then JSON mode, then tool
calling, then plain text, each answer checked against a pydantic model and the taxonomy.

Servers differ: OpenAI honours `response_format: json_schema`, llama.cpp's server rejects it, some
servers ignore tools. The first method an endpoint rejects is skipped from then on (remembered per
Diagnoser, one per engine), so the cost of finding out is paid once. Small models also answer
"Late Delivery", "80%" or a bare string where a list was asked: tolerant coercion accepts those,
and an answer naming no known category becomes "other" (an abstention), never an exception.

An answer is read once and at most MAX_ANSWER_CHARS of it: the diagnosis is a few hundred
characters, and finding a JSON object in a long, brace-filled ramble must not take longer than
the request did (it once took 51 s for 100 KB). The whole run, every method and retry, has one
total deadline and size cap (client.request_budget).
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model, field_validator

from copilot.assist.llm.client import NEVER, request_budget, with_retries
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.errors import LLMError
from copilot.assist.llm.prompts import OTHER
from copilot.core.safe_load import LoadError, checked

METHODS = ("json_schema", "json_mode", "function_calling", "text")
_WORDS = {"high": 0.85, "medium": 0.6, "moderate": 0.6, "low": 0.3}


MAX_ITEMS, MAX_CHARS = 3, 80  # per list and item: bounds what a rambling model can generate
MAX_ANSWER_CHARS = 16_000  # of an answer's text that is searched for the diagnosis
MAX_CANDIDATES = 64  # places where an object could start that are tried
_OBJECT_START = re.compile(r'\{\s*["}]')  # a JSON object opens with a key or closes at once
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_DECODER = json.JSONDecoder()


def _as_list(value) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else [value]
    return [str(v).strip()[:MAX_CHARS] for v in items if str(v).strip()][:MAX_ITEMS]


Short = Annotated[str, StringConstraints(max_length=MAX_CHARS)]


class IssueDiagnosis(BaseModel):
    """What the model must answer. Validators accept the near misses small models produce."""

    category: str = Field(description="id of the issue category, or 'other'")
    confidence: float = Field(0.5, ge=0.0, le=1.0, description="0 to 1")
    evidence: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS, description="the customer's words")
    missing: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS, description="information still needed")
    alternatives: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS, description="other likely ids")

    @field_validator("confidence", mode="before")
    @classmethod
    def _confidence(cls, value):
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _WORDS:
                return _WORDS[text]
            number = float(text.rstrip("%"))
            value = number / 100 if text.endswith("%") or number > 1 else number
        elif isinstance(value, (int, float)) and value > 1:
            value = value / 100  # "85" meant 85 %
        return min(1.0, max(0.0, float(value)))

    @field_validator("evidence", "missing", "alternatives", mode="before")
    @classmethod
    def _lists(cls, value):
        return _as_list(value)


def schema_for(categories: list[str]) -> type[IssueDiagnosis]:
    """The same model with `category` limited to the taxonomy: servers that enforce a JSON schema
    then cannot answer with a category that does not exist."""
    choices = Literal[tuple([*categories, OTHER])]  # type: ignore[valid-type]
    return create_model("IssueDiagnosis", __base__=IssueDiagnosis,
                        category=(choices, Field(description="id of the issue category, or 'other'")))


def extract_json(text: str) -> dict | None:
    """The first JSON object in `text`: bare, fenced in ```json, or after some chatter.

    Linear in the text: each candidate start is decoded once by the C decoder, which stops at the
    object's end (or at its first error), and only so many candidates are tried."""
    text = _TRAILING_COMMA.sub(r"\1", re.sub(r"```(?:json)?", "", (text or "")[:MAX_ANSWER_CHARS]))
    for tried, match in enumerate(_OBJECT_START.finditer(text)):
        if tried >= MAX_CANDIDATES:
            break
        try:
            data, _ = _DECODER.raw_decode(text, match.start())
            data = checked(data)  # not nested deeper than anyone needs
        except (json.JSONDecodeError, RecursionError, LoadError):
            continue
        if isinstance(data, dict):
            return data
    return None


def _fields(text: str) -> dict | None:
    """What can be read from JSON cut off at the token limit: the first fields, asked for first."""
    category = re.search(r'"category"\s*:\s*"([^"]+)"', text)
    if category is None:
        return None
    confidence = re.search(r'"confidence"\s*:\s*"?([\d.]+%?)', text)
    return {"category": category.group(1), "confidence": confidence.group(1) if confidence else 0.4}


def match_category(value: str, labels: dict[str, str]) -> str:
    """A category id for what the model wrote: the id, its label, a near spelling, else 'other'."""
    text = str(value or "").strip().lower()
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if key in labels:
        return key
    by_label = {label.lower(): cid for cid, label in labels.items()}
    if text in by_label:
        return by_label[text]
    close = difflib.get_close_matches(key, list(labels), n=1, cutoff=0.8)
    return close[0] if close else OTHER


def parse(data, labels: dict[str, str]) -> IssueDiagnosis | None:
    """Validate `data` (a model instance, a dict or raw text) into an IssueDiagnosis, or None."""
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if isinstance(data, str):
        data = data[:MAX_ANSWER_CHARS]
        found = extract_json(data) or _fields(data)
        if found is None:
            # no JSON at all: a category named in prose is still a (low-confidence) answer
            lowered = data.lower()
            ids = [cid for cid in labels if cid in data or labels[cid].lower() in lowered]
            found = {"category": ids[0], "confidence": 0.4} if ids else None
        data = found
    if not isinstance(data, dict) or "category" not in data:
        return None
    try:
        result = IssueDiagnosis.model_validate(data)
    except (ValidationError, ValueError, TypeError):
        return None
    result.category = match_category(result.category, labels)
    result.alternatives = [c for c in (match_category(a, labels) for a in result.alternatives)
                           if c not in (OTHER, result.category)]
    return result


def _invoke(runnable, messages):
    """runnable.invoke(), except that an answer cut off at the token limit is returned as its text:
    the SDK raises on it, but its first fields are often all that is needed."""
    try:
        return runnable.invoke(messages)
    except Exception as exc:
        cause: BaseException | None = exc
        while cause is not None and getattr(cause, "completion", None) is None:
            cause = cause.__cause__
        if cause is None:
            raise
        choices = cause.completion.choices
        return (choices[0].message.content or "") if choices else ""


class Diagnoser:
    """Runs the methods in order on one chat model, remembering what the endpoint rejected."""

    def __init__(self, model, config: LLMConfig, labels: dict[str, str], tokens: int = 96,
                 api_key: str | None = None):
        self.model = model
        self.config = config
        self.labels = labels
        self.tokens = tokens  # what `model` was made to answer at most: sets the deadline
        self.api_key = api_key  # only to keep it out of error messages
        self.schema = schema_for(list(labels))
        self.start = 0  # index into METHODS of the first method not rejected by this endpoint
        self._runnables: dict[str, object] = {}
        self.last_method = ""

    def _runnable(self, method: str):
        if method not in self._runnables:
            # A JSON-schema dict, not the pydantic class: the SDK would validate a class itself and
            # raise on the first near miss, before the tolerant reading below gets a chance.
            schema = self.schema.model_json_schema()
            schema["required"] = list(schema["properties"])  # servers that build a grammar ask for every field
            if method == "json_schema":
                # bound as is, not through with_structured_output: langchain would read the answer
                # with its partial-JSON parser, which is quadratic in the answer's length
                self._runnables[method] = self.model.bind(response_format={
                    "type": "json_schema", "json_schema": {"name": "IssueDiagnosis", "schema": schema}})
            elif method == "json_mode":
                # JSON mode, plus the schema as a hint: llama.cpp's servers turn it into a grammar (so
                # the category must be a real id), others ignore it
                self._runnables[method] = self.model.bind(response_format={"type": "json_object", "schema": schema})
            elif method == "text":
                self._runnables[method] = self.model
            else:  # function_calling: the SDK reads the tool's arguments with json.loads, once
                self._runnables[method] = self.model.with_structured_output(schema, method=method, include_raw=True)
        return self._runnables[method]

    def run(self, messages, cancelled: Callable[[], bool] = NEVER) -> IssueDiagnosis:
        with request_budget(self.config, self.tokens):
            return self._run(messages, cancelled)

    def _run(self, messages, cancelled: Callable[[], bool]) -> IssueDiagnosis:
        failure: LLMError | None = None
        unreadable = 0
        for index in range(self.start, len(METHODS)):
            method = METHODS[index]
            runnable = self._runnable(method)
            try:
                answer = with_retries(lambda: _invoke(runnable, messages), self.config, cancelled, self.api_key)
            except LLMError as exc:
                if exc.kind != "rejected":
                    raise  # down, slow or refusing the key: another method would fail the same way
                self.start = index + 1  # this endpoint does not do `method`: never ask again
                failure = exc
                continue
            result = self._read(answer)
            self.last_method = method
            if result is not None:
                return result
            failure = LLMError("bad_output", f"The model's diagnosis could not be read ({method}).")
            unreadable += 1
            if unreadable == 2:  # one more method is worth a try; more only make the agent wait
                break
        raise failure or LLMError("bad_output", "The model gave no usable diagnosis.")

    def _read(self, answer) -> IssueDiagnosis | None:
        if isinstance(answer, dict) and "raw" in answer:  # with_structured_output(include_raw=True)
            parsed = parse(answer.get("parsed"), self.labels) if answer.get("parsed") is not None else None
            if parsed is not None:
                return parsed
            raw = answer["raw"]
            calls = getattr(raw, "tool_calls", None) or []
            if calls:
                return parse(calls[0].get("args", {}), self.labels)
            return parse(getattr(raw, "content", "") or "", self.labels)
        return parse(getattr(answer, "content", answer) or "", self.labels)
