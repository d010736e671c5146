"""THIRD-PARTY-NOTICES.txt: the licence of every distribution whose code is in the bundle.

The spec passes the top-level module names PyInstaller collected; each is traced to its installed
distribution, whose declared licence and licence files are copied out. Qt for Python is LGPL-3.0:
the one-folder bundle keeps its libraries as separate, replaceable files, as that licence asks.
"""
from __future__ import annotations

import re
import sys
import sysconfig
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)
FULL_TEXTS = {  # for licences declared by name only (Qt for Python ships no licence file)
    "LGPL-3.0": "https://www.gnu.org/licenses/lgpl-3.0.txt",
    "GPL-3.0": "https://www.gnu.org/licenses/gpl-3.0.txt",
    "GPL-2.0": "https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt",
}


def _declared(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    found = meta.get("License-Expression") or meta.get("License") or ""
    if not found or len(found) > 200:  # some projects paste the whole licence into this field
        classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                       if c.startswith("License ::")]
        found = "; ".join(classifiers) or ("see below" if found else "not declared")
    return found


def _licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    names = list(dict.fromkeys(dist.metadata.get_all("License-File") or []))
    texts = []
    for name in names:
        text = dist.read_text(f"licenses/{name}") or dist.read_text(name)
        if text:
            texts.append((name, text))
    if not texts:  # older metadata: licence files sit in the .dist-info folder itself
        for file in dist.files or []:
            if ".dist-info/" in str(file) and LICENCE_FILE.search(str(file)):
                text = Path(file.locate()).read_text(encoding="utf-8", errors="replace")
                texts.append((file.name, text))
    return texts


def distributions_for(modules: Iterable[str]) -> list[metadata.Distribution]:
    owners = metadata.packages_distributions()
    names = sorted({dist for module in modules for dist in owners.get(module.split(".")[0], [])},
                   key=str.lower)
    found = []
    for name in names:
        try:
            found.append(metadata.distribution(name))
        except metadata.PackageNotFoundError:
            continue
    return found


def _project_url(dist: metadata.Distribution) -> str:
    urls = [u.split(",", 1) for u in dist.metadata.get_all("Project-URL") or [] if "," in u]
    for label, url in urls:
        if label.strip().lower() in ("homepage", "home", "source", "source code", "repository"):
            return url.strip()
    return urls[0][1].strip() if urls else ""


def _section(title: str, declared: str, texts: list[tuple[str, str]]) -> str:
    lines = ["=" * 78, title, f"Licence: {declared}"]
    for key, url in FULL_TEXTS.items():
        if key in declared and not texts:
            lines.append(f"Full text of {key}: {url}")
    for name, text in texts:
        lines += ["", f"--- {name} ---", text.strip()]
    return "\n".join(lines) + "\n\n"


def notices(modules: Iterable[str], skip: Iterable[str] = ("agent-copilot",)) -> str:
    skip = {s.lower() for s in skip}
    parts = ["Agent Copilot bundles the following third-party software, each under its own licence.\n\n"]
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    parts.append(_section(f"Python {sys.version.split()[0]}", "PSF-2.0",
                          [("LICENSE.txt", python_licence.read_text(encoding="utf-8"))]
                          if python_licence.is_file() else []))
    for dist in distributions_for(modules):
        name = dist.metadata["Name"]
        if name.lower() in skip:
            continue
        home = dist.metadata.get("Home-page") or _project_url(dist)
        title = f"{name} {dist.version}" + (f" <{home}>" if home else "")
        parts.append(_section(title, _declared(dist), _licence_texts(dist)))
    return "".join(parts)


def write(path: Path, modules: Iterable[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notices(modules), encoding="utf-8")
    return path
