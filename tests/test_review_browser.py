"""The HTML report in a real browser: Debian's headless chromium renders it, and the screenshot shows
the charts (their colours are on the page), not a blank or broken page.

Needs the `chromium` Debian package (scripts/test.sh installs it); without it the test is skipped
with that reason.
"""
from __future__ import annotations

import shutil
import subprocess
import warnings

import pytest
from PySide6.QtGui import QColor, QImage

from copilot.review.html_report import write_html
from copilot.review.team import review_logs
from tests.review_builders import HOUR, careful_log, overloaded_log, passive_log
from tests.usage_log_builders import T0

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = ("chromium is not installed, so the HTML report was not checked in a real browser: add `chromium` to "
           "DEBIAN_PACKAGES in scripts/test.sh (or apt-get install chromium)")


def screenshot(page, png, tmp_path, size=(1400, 2000)) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--screenshot={png}",
         f"--window-size={size[0]},{size[1]}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)


def share_near(image: QImage, colour: str, tolerance: int = 40, step: int = 3) -> float:
    """Share of sampled pixels within `tolerance` of a colour (every `step`-th pixel each way)."""
    target = QColor(colour)
    hits = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            total += 1
            if (abs(c.red() - target.red()) + abs(c.green() - target.green()) + abs(c.blue() - target.blue())) <= tolerance:
                hits += 1
    return hits / total


def test_html_report_renders_with_its_charts_in_headless_chromium(tmp_path):
    if CHROMIUM is None:
        warnings.warn(MISSING)
        pytest.skip(MISSING)
    folder = tmp_path / "team"
    folder.mkdir()
    for n, latency in enumerate((20.0, 30.0, 25.0)):
        careful_log(folder / f"c{n}.sqlite", f"careful{n}", T0 + n * 24 * HOUR, latency=latency)
    passive_log(folder / "p.sqlite", "passive", T0 + HOUR)
    passive_log(folder / "p2.sqlite", "passive", T0 + 25 * HOUR)
    overloaded_log(folder / "o.sqlite", "overloaded", T0 + 2 * HOUR)
    page = write_html(review_logs([folder]), tmp_path / "review.html")
    png = tmp_path / "review.png"
    result = screenshot(page, png, tmp_path)
    assert result.returncode == 0 and png.exists(), result.stderr[-2000:]
    assert png.stat().st_size > 50_000  # a rendered page with text and charts, not a blank one
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1400, 2000)
    assert share_near(image, "#f5f7fa") > 0.2  # the page background: the styles were applied
    assert share_near(image, "#2f6fde") > 0.001  # team medians and bars (accent blue)
    assert share_near(image, "#d64545") > 0.00005  # the passive agent's dots, lines and flag (red)
    assert share_near(image, "#d9822b") > 0.00005  # the overloaded agent's (amber)
    assert share_near(image, "#dbe7fb", tolerance=12) > 0.002  # the team's middle-half bands
