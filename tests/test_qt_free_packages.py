"""The domain packages must work without Qt: they are imported here with PySide6 made unimportable."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import copilot

QT_FREE = ("core", "assist", "sources", "usage", "review", "selftest", "practice", "knowledge", "language",
           "teamstore")

BLOCK_QT = """
import importlib.abc, sys
class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pytestqt'):
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, NoQt())
import importlib
for module in sys.argv[1:]:
    importlib.import_module(module)
print('imported', len(sys.argv) - 1)
"""


def qt_free_modules() -> list[str]:
    root = Path(copilot.__file__).parent
    names = ["copilot", "copilot.paths", "copilot.session", "copilot.__main__"]
    for package in QT_FREE:
        folder = root / package
        if not folder.exists():
            continue
        names.append(f"copilot.{package}")
        prefix = f"copilot.{package}."
        names += [m.name for m in pkgutil.walk_packages([str(folder)], prefix=prefix) if not m.ispkg]
    return names


def test_domain_packages_import_without_qt():
    modules = qt_free_modules()
    assert len(modules) > 15
    result = subprocess.run([sys.executable, "-c", BLOCK_QT, *modules], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"imported {len(modules)}" in result.stdout


def test_command_line_help_does_not_load_qt():
    code = BLOCK_QT.replace("for module in sys.argv[1:]:\n    importlib.import_module(module)\n", "") + (
        "from copilot.__main__ import build_parser\nbuild_parser().format_help()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
