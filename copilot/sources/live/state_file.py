"""A small JSON file a live source keeps in the data directory across restarts (sync tokens, the
rooms it knows, which ones the agent resolved). Written atomically; one that cannot be read is kept
aside as `.unreadable` and the source starts afresh (it resyncs from the server), never crashes."""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class StateFile:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.problem = ""  # why the old file was set aside ("" when it was fine or absent)

    def load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return data
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            kept = self.path.with_name(self.path.name + ".unreadable")
            try:
                os.replace(self.path, kept)
            except OSError:
                pass
            self.problem = f"{self.path.name} could not be read ({exc}); starting afresh, kept as {kept.name}"
            log.warning("%s", self.problem)
            return {}

    def save(self, data: dict) -> None:
        text = json.dumps(data, indent=1, sort_keys=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{threading.get_ident()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
