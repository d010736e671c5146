"""The Debian package: the one-folder bundle under /usr/lib/agent-copilot, a launcher in
/usr/bin, a desktop entry, the icon, the copyright file and the third-party notices.

Depends is worked out from the bundle itself: every shared library an ELF file in it needs and
the bundle does not ship is looked up in dpkg's database (and its shlibs file, for the minimum
version), the way dpkg-shlibdeps would, without its need for a debian/ source tree.
"""
from __future__ import annotations

import email.utils
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

PACKAGE = "agent-copilot"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAINTAINER = os.environ.get("DEB_MAINTAINER", "Agent Copilot maintainers <maintainers@agent-copilot.invalid>")
DESCRIPTION = """Desktop copilot for customer-support agents
 For the chat in focus, Agent Copilot shows an issue diagnosis (category,
 confidence, evidence, playbook steps) and a draft reply that the agent
 accepts, edits or rejects. A local usage log records what was shown and
 decided, flags passive over-reliance and multitasking overload, and gives
 team leads a usage review. Works offline with its built-in model."""
# Used when the build machine lacks a library (its package cannot be looked up there).
KNOWN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0", "libGLX.so.0": "libglx0", "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
# Opened with dlopen by Qt (D-Bus for input methods and the keyring), so no ELF file names it.
DLOPENED = ("libdbus-1.so.3",)
SUGGESTS = "gnome-keyring | kwalletmanager | keepassxc"  # a Secret Service for the LLM API key


def elf_files(tree: Path) -> list[Path]:
    found = []
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_sonames(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for start in range(0, len(files), 100):
        out = subprocess.run(["objdump", "-p", *map(str, files[start:start + 100])],
                             capture_output=True, text=True, check=True).stdout
        names.update(re.findall(r"^\s+NEEDED\s+(\S+)$", out, re.MULTILINE))
    return names


def _shlibs_dependency(package: str, soname: str) -> str:
    """`libxcb1 (>= 1.12)` from the package's shlibs file; the bare name if it has none."""
    match = re.match(r"^(.+)\.so\.(.+)$", soname)
    info = Path("/var/lib/dpkg/info")
    for path in (info / f"{package}.shlibs", *info.glob(f"{package}:*.shlibs")):
        if match and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split(None, 2)
                if len(parts) == 3 and parts[:2] == [match.group(1), match.group(2)]:
                    return parts[2].strip()
    return package


def system_dependencies(bundle: Path) -> tuple[list[str], list[str]]:
    """(Depends entries, sonames whose package could not be found)."""
    shipped = {p.name for p in bundle.rglob("*")}
    missing = sorted((needed_sonames(elf_files(bundle)) | set(DLOPENED)) - shipped)
    multiarch = sysconfig.get_config_var("MULTIARCH") or "*"
    patterns = [f"*/{multiarch}/{soname}" for soname in missing]
    out = subprocess.run(["dpkg", "-S", *patterns], capture_output=True, text=True).stdout
    owner: dict[str, str] = {}
    for line in out.splitlines():
        packages, _, path = line.partition(": ")
        owner.setdefault(Path(path.strip()).name, packages.split(",")[0].split(":")[0].strip())
    depends, unknown = set(), []
    for soname in missing:
        package = owner.get(soname) or KNOWN_PACKAGES.get(soname)
        if package:
            depends.add(_shlibs_dependency(package, soname) if soname in owner else package)
        else:
            unknown.append(soname)
    return sorted(depends), unknown


def _md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.relative_to(root).parts:
            lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(root)}")
    return "\n".join(lines) + "\n"


def _changelog(version: str) -> str:
    """Debian wants one; the app's own history is in git."""
    when = email.utils.formatdate(localtime=False)
    return (f"{PACKAGE} ({version}) stable; urgency=medium\n\n  * Agent Copilot {version}, packaged from "
            f"its PyInstaller bundle.\n\n -- {MAINTAINER}  {when}\n")


def _install(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def stage(bundle: Path, root: Path, version: str) -> None:
    """The installed file tree, as dpkg will unpack it."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / "usr/lib" / PACKAGE, symlinks=True)
    _install(HERE / "linux/launcher.sh", root / "usr/bin" / PACKAGE, 0o755)
    _install(HERE / "linux/agent-copilot.desktop", root / "usr/share/applications/agent-copilot.desktop")
    icons = root / "usr/share/icons/hicolor"
    _install(ROOT / "resources/icons/agent-copilot.png", icons / "256x256/apps/agent-copilot.png")
    _install(ROOT / "resources/icons/agent-copilot.svg", icons / "scalable/apps/agent-copilot.svg")
    doc = root / "usr/share/doc" / PACKAGE
    _install(HERE / "linux/copyright", doc / "copyright")
    notices = bundle / "_internal" / "THIRD-PARTY-NOTICES.txt"
    if notices.is_file():
        _install(notices, doc / "THIRD-PARTY-NOTICES.txt")
    doc.joinpath("changelog.gz").write_bytes(gzip.compress(_changelog(version).encode(), mtime=0))
    for path in [root, *root.rglob("*")]:  # whatever the umask was: root-owned, world-readable
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)


def build_deb(bundle: Path, out_dir: Path, version: str, compression: str = "xz") -> tuple[Path, list[str]]:
    """Builds the .deb from the bundle; returns it with the sonames left out of Depends."""
    root = out_dir / "deb-root"
    stage(bundle, root, version)
    depends, unknown = system_dependencies(bundle)
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    control = (f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {MAINTAINER}\n"
               f"Installed-Size: {size_kib}\nDepends: {', '.join(depends)}\nSuggests: {SUGGESTS}\n"
               f"Section: utils\nPriority: optional\nDescription: {DESCRIPTION}\n")
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(control, encoding="utf-8")
    (debian / "md5sums").write_text(_md5sums(root), encoding="utf-8")
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(root), str(deb)],
                   check=True, capture_output=True)
    shutil.rmtree(root)
    return deb, unknown
