"""Reading JSON and TOML that a person (or an attacker) wrote: every failure is one ValueError.

The standard parsers recurse once per nesting level, so `[[[[...]]]]` a few thousand deep raises
RecursionError, which no caller expects; JSON's \\ud800 escapes make strings that are not valid
Unicode and break whatever encodes them later (a tokenizer, a terminal, SQLite). Here both become
a LoadError (a ValueError) with a one-line message, and what loads is at most MAX_DEPTH deep, so
the code that walks it cannot hit the recursion limit either.
"""
from __future__ import annotations

import json
import re
import tomllib
from typing import Any

MAX_DEPTH = 64  # nesting levels: our files need 4; a deeper one is an accident or an attack
_SURROGATE = re.compile("[\ud800-\udfff]")


class LoadError(ValueError):
    """The text is not usable data; the message says why, in one line."""


def loads_json(text: str) -> Any:
    """json.loads, but only ValueError (json.JSONDecodeError or LoadError) comes out."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise LoadError(f"not usable JSON: nested more than {MAX_DEPTH} levels deep") from None
    return checked(data, "JSON")


def loads_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, but only ValueError (tomllib.TOMLDecodeError or LoadError) comes out."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise LoadError(f"not usable TOML: nested more than {MAX_DEPTH} levels deep") from None
    return checked(data, "TOML")


def checked(data: Any, what: str = "data") -> Any:
    """`data` itself, once it is known to be at most MAX_DEPTH deep with every string valid Unicode."""
    stack = [(data, 1)]
    while stack:  # iterative: this walk must not be the one to hit the recursion limit
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value, what)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise LoadError(f"not usable {what}: nested more than {MAX_DEPTH} levels deep")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, what)
                stack.append((item, depth + 1))
    return data


def _check_text(text: str, what: str) -> None:
    found = _SURROGATE.search(text)
    if found:
        raise LoadError(f"not usable {what}: a string holds a lone surrogate (\\u{ord(found.group()):04x}), "
                        "which is not a character; save the file as proper UTF-8 text")
