"""`copilot suggest --transcript FILE.json --engine offline|llm [--base-url URL --model NAME] --json`:
the diagnosis and draft for one conversation, for scripting and evaluation.

The file format and the output are documented in docs/transcript-format.md. Endpoint options
default to the user's settings; the API key comes from the keyring or OPENAI_API_KEY, never from
the command line (it would end up in shell history and process lists).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

from copilot.core.modes import DraftKind


def register(subparsers) -> None:
    from copilot.cli.options import add_engine_options

    parser = subparsers.add_parser(
        "suggest", help="diagnose a conversation file and draft a reply (offline engine or an LLM endpoint)",
        description="Print the diagnosis and draft reply for the last customer message of a transcript "
                    "(format: docs/transcript-format.md).")
    parser.add_argument("--transcript", type=Path, required=True, metavar="FILE.json")
    add_engine_options(parser, "from settings (offline)")
    parser.add_argument("--timeout", type=float, dest="llm_timeout", metavar="SECONDS", help=argparse.SUPPRESS)
    parser.add_argument("--draft", choices=[k.value for k in DraftKind if k is not DraftKind.CHOSEN],
                        default=DraftKind.ROUTINE.value, help="which draft: routine (default) or deescalation")
    parser.add_argument("--strict", action="store_true", help="exit 3 if the model fails instead of falling back")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=handle)


def _fail(message: str, status: int = 2) -> int:
    print(f"copilot suggest: error: {message}", file=sys.stderr)
    return status


def load_transcript(path: Path):
    """The conversation in `path`, answering its last customer message. Raises ValueError."""
    from copilot.assist.engine import Conversation, Turn
    from copilot.core.chat import Sender
    from copilot.core.safe_load import loads_json

    try:
        data = loads_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSON errors, bad UTF-8, too deep, lone surrogates
        raise ValueError(f"{path}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from None
    if isinstance(data, list):
        data = {"messages": data}
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ValueError(f"{path}: expected an object with a 'messages' list")
    turns = []
    for i, raw in enumerate(data["messages"]):
        sender = raw.get("from", raw.get("sender")) if isinstance(raw, dict) else None
        if sender not in ("customer", "agent", "system") or not isinstance(raw.get("text"), str):
            raise ValueError(f"{path}: messages[{i}] needs 'from' (customer, agent or system) and 'text'")
        ts = raw.get("ts", i)
        if isinstance(ts, bool) or not isinstance(ts, (int, float)) or not math.isfinite(ts) or abs(ts) > 1e12:
            raise ValueError(f"{path}: messages[{i}].ts must be a number of seconds, not {json.dumps(ts)[:40]}")
        turns.append(Turn(Sender(sender), raw["text"], float(ts)))
    last = max((i for i, t in enumerate(turns) if t.sender is Sender.CUSTOMER), default=None)
    if last is None:
        raise ValueError(f"{path}: there is no customer message to answer")
    name = data.get("customer_name", "")
    return Conversation(str(data.get("chat_id", "transcript")), name if isinstance(name, str) else "",
                        tuple(turns[: last + 1]), last + 1)


def _settings(args: argparse.Namespace):
    from copilot import settings as user_settings
    from copilot.cli.options import engine_settings

    settings, problem = user_settings.load()
    if problem:  # the file was moved aside: say so, a script's user would never know otherwise
        print(f"copilot suggest: warning: {problem}", file=sys.stderr)
    return engine_settings(args, settings)


def handle(args: argparse.Namespace) -> int:
    from copilot.assist.engine import DraftRequest
    from copilot.assist.engines import EndpointHealth, Engines
    from copilot.assist.offline import OfflineEngine
    from copilot.assist.pipeline import SuggestionRequest, make_suggestion

    try:
        conversation = load_transcript(args.transcript)
        settings = _settings(args)
        # the model folder from settings (`copilot train`), else the built-in one; a damaged model
        # folder is a ValueError (model_check.ModelError) with one clear line
        offline = OfflineEngine.load(settings.model_dir) if settings.model_dir else OfflineEngine.load_default()
        # one conversation: no endpoint cool-down to rest for
        engines = Engines.from_settings(settings, offline, health=EndpointHealth(cooldown=0))
    except ValueError as exc:
        return _fail(str(exc))
    except RuntimeError as exc:  # a model that needs an embeddings package that is not installed
        return _fail(f"{settings.model_dir}: {exc}")
    shown = [0]

    def live(text: str) -> None:  # without --json the draft appears as it is written
        sys.stdout.write(text[shown[0]:])
        sys.stdout.flush()
        shown[0] = len(text)

    started = time.perf_counter()
    if not args.json:
        print("Draft: ", end="", flush=True)
    request = SuggestionRequest(conversation, DraftRequest(DraftKind(args.draft)))
    suggestion = make_suggestion(engines, request, time.time, None if args.json else live)
    seconds = round(time.perf_counter() - started, 3)
    failures = [suggestion.notice] if suggestion.notice else []
    if failures:
        print(f"warning: {failures[0]}", file=sys.stderr)
        if args.strict:
            return 3
    d, draft = suggestion.diagnosis, suggestion.draft
    if args.json:
        best = d.best
        print(json.dumps({
            "engine": suggestion.engine, "chat_id": conversation.chat_id,
            "diagnosis_engine": suggestion.diagnosis_engine.value,
            "draft_engine": suggestion.draft_engine.value if suggestion.draft_engine else None,
            "draft_kind": suggestion.draft_kind.value,
            # abstained: no category (the engine says "none of ours"); `top` still holds the nearest as hints
            "diagnosis": {"category": best.category if best and not d.abstained else "", "label": d.label,
                          "confidence": best.confidence if best else 0.0, "abstained": d.abstained,
                          "top": [asdict(c) for c in d.top], "evidence": list(d.evidence), "steps": list(d.steps),
                          "missing": list(d.missing), "needs_human": d.needs_human},
            "draft": None if draft is None else {"text": draft.text, "category": draft.category,
                                                 "flags": list(getattr(draft, "flags", ()))},
            "fallback": failures[0] if failures else None, "seconds": seconds,
        }, ensure_ascii=False))
        return 0
    if shown[0] == 0:
        print(draft.text if draft else "(none: no confident diagnosis)")
    elif failures:  # the model stopped mid-reply: what was printed is not the draft
        print(f"\nOffline draft: {draft.text if draft else '(none)'}")
    else:
        print()
    for flag in getattr(draft, "flags", ()):
        print(f"  ! {flag}")
    if d.abstained:
        nearest = ", ".join(f"{c.label} {c.confidence:.0%}" for c in d.top)
        print("Diagnosis: No matching category" + (f" (nearest: {nearest})" if nearest else ""))
    else:
        print(f"Diagnosis: {d.label} ({d.best.confidence:.0%})")
    for what, items in (("Evidence", d.evidence), ("Missing", d.missing), ("Steps", d.steps)):
        if items:
            print(f"{what}: " + "; ".join(items))
    print(f"Engine: {suggestion.engine} in {seconds:.2f} s")
    return 0
