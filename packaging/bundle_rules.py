"""What the spec keeps from PyInstaller's analysis: Qt plugins the app loads, the libraries they
and the Python modules need, and the word-embedding files the default model reads.

Imported by agent-copilot.spec; plain functions so tests and build.py can reuse them.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent

# Qt plugins, by folder: the platform plugins (offscreen runs the self-test and screenshots;
# xcb/windows/cocoa show the window), input methods (compose keys, IBus for typing replies in
# any language), GL glue for xcb, and styles. PNG needs no plugin: it is built into QtGui.
PLUGINS = {
    "platforms": re.compile(r"(lib)?q(xcb|offscreen|windows|cocoa)\.(so|dll|dylib)$"),
    "platforminputcontexts": re.compile(r"(compose|ibus)platforminputcontextplugin"),
    "xcbglintegrations": re.compile(r".*"),
    "styles": re.compile(r".*"),
}
SYSTEM_LIB_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")
QT_LIB = re.compile(r"^(lib)?Qt6\w+(\.so(\.\d+)*|\.dll)$|^Qt\w+$")  # Linux, Windows, macOS framework


def _parts(dest: str) -> tuple[str, ...]:
    return PurePosixPath(dest.replace("\\", "/")).parts


def plugin_folder(dest: str) -> str | None:
    """`platforms` for PySide6/Qt/plugins/platforms/libqxcb.so (or PySide6/plugins/... on Windows)."""
    parts = _parts(dest)
    if "plugins" in parts and parts[0] == "PySide6":
        index = parts.index("plugins")
        if len(parts) > index + 2:
            return parts[index + 1]
    return None


def keep_binary(dest: str) -> bool:
    folder = plugin_folder(dest)
    if folder is None:
        return True
    rule = PLUGINS.get(folder)
    return bool(rule and rule.search(_parts(dest)[-1]))


def keep_data(dest: str) -> bool:
    # Qt's own translations (60 MB): the app is English-only and installs no QTranslator.
    parts = _parts(dest)
    return not (parts[:1] == ("PySide6",) and "translations" in parts)


def _imports(path: str) -> list[str]:
    from PyInstaller.depend import bindepend

    try:
        found = bindepend.get_imports(path)  # names, or (name, path) pairs where ldd is used
    except Exception:  # an unreadable file: keep what it might need
        return []
    names = [item[0] if isinstance(item, tuple) else item for item in found]
    return [PurePosixPath(name.replace("\\", "/")).name for name in names]


def from_system(src: str) -> bool:
    """A Linux distribution's library (X11, fontconfig, glib, OpenSSL...): the .deb depends on its
    package instead of shipping a copy, so it gets the distribution's security updates."""
    return (sys.platform.startswith("linux") and src.startswith(SYSTEM_LIB_DIRS)
            and "-packages/" not in src  # a wheel's own library, even in a system-wide install
            and not PurePosixPath(src).name.startswith("libpython"))


def prune_binaries(binaries: list[tuple]) -> list[tuple]:
    """Plugins outside PLUGINS, system libraries, then Qt libraries nothing kept links to.

    Qt's hooks collect every plugin of each module, and with them the Qt libraries only those
    plugins need (Quick, Qml, Pdf, Wayland...): after dropping plugins, a Qt library stays only if
    an extension module, a kept plugin or another kept library needs it.
    """
    kept = [e for e in binaries if keep_binary(e[0]) and not (e[2] == "BINARY" and from_system(e[1]))]
    if sys.platform == "darwin":  # Qt comes as .framework folders there: pruning would leave husks
        return kept
    files = {_parts(e[0])[-1]: e[1] for e in kept}
    todo = [name for name in files if not QT_LIB.match(name)]
    reached = set(todo)
    while todo:
        for needed in _imports(files[todo.pop()]):
            if needed in files and needed not in reached:
                reached.add(needed)
                todo.append(needed)
    return [e for e in kept if _parts(e[0])[-1] in reached]


def trim(binaries: list[tuple], datas: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The spec's filter over PyInstaller's analysis: (binaries, datas) the bundle keeps."""
    binaries = prune_binaries(binaries)
    present = {dest for dest, *_ in binaries}
    # PyInstaller lists its links to libraries (top folder -> PySide6/Qt/lib) among the datas:
    # a link whose library went goes too.
    datas = [e for e in datas if keep_data(e[0]) and not (e[2] == "SYMLINK" and _link_target(e) not in present)]
    return binaries, datas


def _link_target(entry: tuple) -> str:
    dest, target = PurePosixPath(entry[0]), PurePosixPath(entry[1].replace("\\", "/"))
    return os.path.normpath(str(dest.parent / target)).replace("\\", "/")


def strip_bundle(bundle: Path) -> int:
    """Strips debug symbols from the bundle's ELF files (Linux); returns the bytes saved.

    Files that auditwheel repaired (vendored into `*.libs/`, or pointing there by RUNPATH) are
    left alone: patchelf edited them, and strip can leave them unloadable ("ELF load command
    address/offset not page-aligned"). PyInstaller's own strip option would touch those too.
    """
    import subprocess

    saved = 0
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or any(part.endswith(".libs") for part in path.parts):
            continue
        with open(path, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        info = subprocess.run(["readelf", "-S", "-d", str(path)], capture_output=True, text=True).stdout
        if ".symtab" not in info or ".libs" in info:
            continue
        before = path.stat().st_size
        if subprocess.run(["strip", "--strip-unneeded", str(path)], capture_output=True).returncode == 0:
            saved += before - path.stat().st_size
    return saved


def wordllama_datas() -> list[tuple[str, str]]:
    """The two files of the wordllama wheel the default model reads, without wordllama's code
    (it is never imported: copilot.assist.embeddings reads the files directly)."""
    sys.path.insert(0, str(ROOT))
    from copilot.assist import embeddings

    root = embeddings._package_dir()
    if root is None or not embeddings.available():
        print("bundle_rules: wordllama is not installed; the bundle falls back to the n-gram model",
              file=sys.stderr)
        return []
    return [(str(root.joinpath(*part)), "/".join(("wordllama", *part[:-1])))
            for part in (embeddings._WEIGHTS, embeddings._TOKENIZER)]
