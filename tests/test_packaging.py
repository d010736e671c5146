"""The installer end to end: build the bundle and the .deb, unpack the .deb into a temporary root
made read-only, and run the installed binary there, offscreen, with a temporary home.

Slow (a full PyInstaller build, a few minutes): the slowest test of the suite, run by .ci/run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copilot import APP_NAME, __version__

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test also pays for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is built on Linux"),
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(out / "dist"),
         "--work", str(out / "work"), "--compression", "zstd", "--json"],  # zstd: seconds, not minutes
        capture_output=True, text=True, cwd=ROOT, timeout=840)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """The .deb unpacked as dpkg would install it, then made read-only like /usr is."""
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", built["deb"], str(root)], check=True)
    subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
    yield root
    subprocess.run(["chmod", "-R", "u+w", str(root)], check=True)  # so pytest can clean up


def run_installed(root: Path, home: Path, *args: str, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    """The launcher in usr/bin, in a clean environment: nothing from this checkout leaks in."""
    home.mkdir(parents=True, exist_ok=True)
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", **env}
    return subprocess.run([str(root / "usr/bin/agent-copilot"), *args], capture_output=True, text=True,
                          env=clean, cwd=home, timeout=timeout)


def test_version(installed, tmp_path):
    result = run_installed(installed, tmp_path / "home", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"


def test_selftest_runs_from_a_read_only_install(installed, tmp_path):
    home = tmp_path / "home"  # no COPILOT_DATA_DIR: the platform's default, under this HOME
    # Speed 60 and a generous limit: CI runs this beside other self-tests and a PyInstaller build.
    result = run_installed(installed, home, "selftest", "--json", "--chats", "30", "--speed", "60",
                           "--timeout", "600", timeout=700)
    assert result.returncode == 0, result.stderr[-4000:]
    summary = json.loads(result.stdout)
    assert summary["ok"], summary["checks"]
    assert summary["chats_handled"] == 30
    assert Path(summary["usage_log"]["path"]).parent == home / ".local/share/agent-copilot/selftest"


def test_screenshot(installed, tmp_path):
    result = run_installed(installed, tmp_path / "home", "screenshot", str(tmp_path / "shot.png"), "--chats", "2",
                           COPILOT_DATA_DIR=str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "shot.png").stat().st_size > 10_000


@pytest.mark.skipif(importlib.util.find_spec("wordllama") is None, reason="built without word embeddings")
def test_default_model_loads_its_word_embeddings(installed, tmp_path):
    bundle = installed / "usr/lib/agent-copilot/_internal"
    result = run_installed(installed, tmp_path / "home", "eval", "--model", str(bundle / "resources/models/default"),
                           "--examples", str(bundle / "resources/training/ecommerce_heldout.csv"), "--json")
    assert result.returncode == 0, result.stderr[-4000:]
    assert json.loads(result.stdout)["accuracy"] > 0.8


def uninstalled_depends(deb: str) -> list[str]:
    """Packages in the .deb's Depends with no installed alternative (versions not compared)."""
    field = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True, text=True, check=True).stdout
    missing = []
    for entry in field.split(","):
        names = [alt.split("(")[0].strip() for alt in entry.split("|")]
        status = [subprocess.run(["dpkg-query", "-W", "-f=${Status}", n], capture_output=True, text=True).stdout
                  for n in names]
        if not any(s.endswith("installed") and "not-installed" not in s for s in status):
            missing.append(names[0])
    return missing


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_window_shows_on_x11(built, installed, tmp_path):
    """With the packages the .deb depends on, the xcb plugin loads and the window shows."""
    missing = uninstalled_depends(built["deb"])
    if missing:
        pytest.skip(f"the .deb's dependencies are not installed here: {' '.join(missing)}")
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"agent_name": "Test agent"}), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "xcb", "COPILOT_EXIT_AFTER_SHOWN": "1",
           "COPILOT_CONFIG_DIR": str(config), "COPILOT_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(["xvfb-run", "-a", str(installed / "usr/bin/agent-copilot")], capture_output=True,
                            text=True, env=env, cwd=home, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.startswith("shown ")


def test_package_contents_and_metadata(built, installed):
    depends = subprocess.run(["dpkg-deb", "-f", built["deb"], "Depends"], capture_output=True, text=True,
                             check=True).stdout
    for package in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1"):
        assert package in depends
    doc = "usr/share/doc/agent-copilot/"
    for path in ("usr/bin/agent-copilot", "usr/lib/agent-copilot/agent-copilot",
                 "usr/share/applications/agent-copilot.desktop",
                 "usr/share/icons/hicolor/256x256/apps/agent-copilot.png",
                 "usr/share/icons/hicolor/scalable/apps/agent-copilot.svg",
                 doc + "copyright", doc + "THIRD-PARTY-NOTICES.txt", doc + "changelog.gz"):
        assert (installed / path).is_file(), path
    assert os.access(installed / "usr/bin/agent-copilot", os.X_OK)
    desktop = (installed / "usr/share/applications/agent-copilot.desktop").read_text(encoding="utf-8")
    assert "Exec=agent-copilot" in desktop and "Icon=agent-copilot" in desktop
    assert "PySide6" in (installed / "usr/share/doc/agent-copilot/THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")


def test_bundle_is_trimmed(built):
    bundle = Path(built["bundle"])
    names = {p.name for p in bundle.rglob("*")}
    assert not {n for n in names if n.startswith(("libQt6WebEngine", "libQt6Quick", "libQt6Qml", "libQt6Pdf"))}
    plugins = bundle / "_internal/PySide6/Qt/plugins"
    assert {p.name for p in (plugins / "platforms").iterdir()} == {"libqxcb.so", "libqoffscreen.so"}
    assert not (bundle / "_internal/PySide6/Qt/translations").exists()
    assert built["bundle_bytes"] < 300e6  # target 250 MB; a forgotten Qt module adds 100+ MB
