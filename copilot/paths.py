"""Where Agent Copilot finds its read-only resources and keeps its writable data.

Qt-free so the command line and the domain packages share one answer. Resources are found in
this order: a PyInstaller bundle, the installed `copilot.resources` package, the source tree.
Writable data goes under the platform's user data directory, overridable with
COPILOT_DATA_DIR (tests and portable installs use it).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from copilot import APP_ID


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    try:
        import copilot.resources as packaged

        return Path(packaged.__file__).resolve().parent
    except ImportError:  # running from a source tree without an install
        return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    override = os.environ.get("COPILOT_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def usage_log_path() -> Path:
    return data_dir() / "usage.sqlite"
