"""Normalised edit distance between a draft and what the agent actually sent."""
from __future__ import annotations

import difflib

# Above this many differing characters the exact (quadratic) distance is replaced by an
# estimate, so a pasted 1 MB text cannot stall whoever asks.
EXACT_LIMIT = 4000


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalised_edit_distance(draft: str, sent: str) -> float:
    """0.0 when identical, 1.0 when nothing was kept; character edits divided by the longer text."""
    if draft == sent:
        return 0.0
    if not draft or not sent:
        return 1.0
    longest = max(len(draft), len(sent))
    # Agents mostly edit the middle of a draft: strip the shared ends first, it is exact and cheap.
    start = 0
    while start < min(len(draft), len(sent)) and draft[start] == sent[start]:
        start += 1
    end = 0
    while end < min(len(draft), len(sent)) - start and draft[-1 - end] == sent[-1 - end]:
        end += 1
    a, b = draft[start : len(draft) - end], sent[start : len(sent) - end]
    if max(len(a), len(b)) <= EXACT_LIMIT:
        return levenshtein(a, b) / longest
    # Estimate: characters not shared as a multiset are certainly edits (a lower bound).
    shared = difflib.SequenceMatcher(None, a, b, autojunk=False).quick_ratio() * (len(a) + len(b)) / 2
    return min(1.0, (max(len(a), len(b)) - shared) / longest)
