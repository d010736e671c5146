"""Writing a file so that it is either the old one or the whole new one, never half of either.

The text goes to a temporary file beside the target, is flushed to disk, and then renamed over
it (an atomic replace on POSIX and Windows). A crash, a full disk or an error mid-write leaves
the previous file as it was and no temporary file behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: str | Path, text: str, encoding: str = "utf-8", newline: str | None = None) -> Path:
    """Write `text` to `path` atomically; raises OSError (nothing changed) when it cannot."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes it private: keep the replaced file's mode, else an ordinary file's
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path

