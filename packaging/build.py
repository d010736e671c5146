"""Builds the installer: `python packaging/build.py`.

1. PyInstaller turns packaging/agent-copilot.spec into the one-folder bundle dist/agent-copilot/.
2. The bundle is smoke-tested (`--version`), so a broken freeze fails here, not on a desktop.
3. On Linux with dpkg-deb, the bundle becomes dist/agent-copilot_<version>_<arch>.deb.

Windows (Inno Setup) and macOS (.app/.dmg) take the bundle from step 1: see packaging/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from copilot import __version__  # noqa: E402  (only constants: no Qt, nothing slow)

NAME = "agent-copilot"


def tree_size(path: Path) -> int:
    """Bytes on disk as shipped: files counted once, links not followed."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}-cli.exe" if sys.platform == "win32" else NAME)


def build_bundle(dist: Path, work: Path) -> Path:
    command = [sys.executable, "-m", "PyInstaller", str(HERE / f"{NAME}.spec"), "--noconfirm",
               "--distpath", str(dist), "--workpath", str(work), "--log-level", "WARN"]
    subprocess.run(command, check=True, cwd=ROOT, stdout=sys.stderr)  # stdout stays for --json
    return dist / NAME


def smoke_test(bundle: Path) -> str:
    """`--version`, then a screenshot: Qt, numpy, the model and the resources all load."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COPILOT_DATA_DIR=tmp, COPILOT_CONFIG_DIR=tmp)
        runs = [[str(executable(bundle)), "--version"],
                [str(executable(bundle)), "screenshot", str(Path(tmp) / "smoke.png"), "--chats", "2"]]
        for command in runs:
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
            if result.returncode != 0:
                raise SystemExit(f"build: {' '.join(command[1:])} fails in the bundle:\n"
                                 f"{result.stdout}\n{result.stderr}")
            if command[1] == "--version":
                version = result.stdout.strip()
        if __version__ not in version or not (Path(tmp) / "smoke.png").is_file():
            raise SystemExit(f"build: unexpected output from the bundle: {version!r}")
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--skip-bundle", action="store_true", help="reuse the bundle already in --dist")
    parser.add_argument("--no-deb", action="store_true", help="do not build the Debian package")
    parser.add_argument("--compression", choices=("xz", "zstd", "gzip"), default="xz",
                        help="the .deb's compression (default xz: smallest, what Debian tools expect, takes "
                             "minutes; zstd: ~20%% bigger, takes seconds, fine for dpkg 1.21.18+ and tests)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    dist = args.dist.resolve()
    summary: dict = {"version": __version__}
    started = time.monotonic()
    bundle = dist / NAME if args.skip_bundle else build_bundle(dist, args.work.resolve())
    summary["bundle_seconds"] = round(time.monotonic() - started, 1)
    summary["bundle"] = str(bundle)
    summary["bundle_bytes"] = tree_size(bundle)
    summary["version_output"] = smoke_test(bundle)
    summary["word_embeddings"] = (bundle / "_internal" / "wordllama").is_dir()

    if sys.platform.startswith("linux") and not args.no_deb and shutil.which("dpkg-deb"):
        from deb import build_deb

        started = time.monotonic()
        deb, unknown = build_deb(bundle, dist, __version__, args.compression)
        summary.update(deb=str(deb), deb_bytes=deb.stat().st_size, deb_seconds=round(time.monotonic() - started, 1),
                       deb_unresolved_libraries=unknown)
        if unknown:
            print(f"build: no Debian package found for {', '.join(unknown)}; Depends leaves them out",
                  file=sys.stderr)

    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"bundle  {bundle}  {summary['bundle_bytes'] / 1e6:.1f} MB  ({summary['bundle_seconds']} s)")
        if "deb" in summary:
            print(f"deb     {summary['deb']}  {summary['deb_bytes'] / 1e6:.1f} MB  ({summary['deb_seconds']} s)")
        if not summary["word_embeddings"]:
            print("build: wordllama is not installed here; the bundle uses the simpler n-gram model", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
