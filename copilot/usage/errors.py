"""The one exception the usage log raises to its callers."""
from __future__ import annotations


class UsageLogError(Exception):
    """The usage log file cannot be used as is: the message says why and what to do.

    Raised before anything is written, so the file on disk is left exactly as it was found.
    """
