"""Time in usage reports: parsing --since/--until, and naming the window a moment falls in.

All times are seconds since the Unix epoch. Days and weeks are UTC calendar days and ISO weeks
(Monday first), so two people reading the same file see the same windows whatever their timezone.
Metrics are summed in BUCKET_SECONDS slices; a bucket never straddles a day, so days and weeks
are exact sums of buckets.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

WINDOWS = ("session", "day", "week")
BUCKET_SECONDS = 300  # 5 minutes: fine enough to see load change within a shift, coarse enough to sum fast
DAY = 86400.0
WEEK_OFFSET = 4 * DAY  # weeks start on Monday, and Monday 1970-01-05 is 4 days into the epoch


def parse_time(text: str | float | int | None) -> float | None:
    """Epoch seconds, or an ISO date/time ("2026-03-02", "2026-03-02T09:30", with or without an offset).

    A time without an offset is read as UTC, like the windows. Raises ValueError with a plain message.
    """
    if text is None or isinstance(text, int | float):
        return None if text is None else float(text)
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a time")
        return value
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time: use epoch seconds or ISO, e.g. 2026-03-02T09:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def iso(ts: float | None) -> str | None:
    """UTC, to the second: for reports and explanations."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_start(window: str, ts: float) -> float:
    """Start of the day or week containing ts (sessions have no calendar start)."""
    if window == "day":
        return math.floor(ts / DAY) * DAY
    if window == "week":
        weeks = math.floor((ts - WEEK_OFFSET) / (7 * DAY))
        return weeks * 7 * DAY + WEEK_OFFSET
    raise ValueError(f"window {window!r} has no calendar start")


def window_label(window: str, start: float) -> str:
    """"2026-03-02" for a day, "2026-W10" for a week."""
    moment = datetime.fromtimestamp(start, UTC)
    if window == "day":
        return moment.strftime("%Y-%m-%d")
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def check_window(window: str) -> str:
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}: choose one of {', '.join(WINDOWS)}")
    return window
