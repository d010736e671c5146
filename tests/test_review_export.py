"""Exports without a window: `copilot review --logs ... --html --csv --json`, the CSV table, and an
HTML report that is self-contained (no scripts, nothing fetched) and never quotes a customer."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from copilot.review.export import csv_header, review_dict, write_csv
from copilot.review.html_report import render_html
from copilot.review.svg import nice_ticks
from copilot.review.team import review_logs
from tests.review_builders import HOUR, careful_log, escalated_chat, overloaded_log, passive_log
from tests.usage_log_builders import T0

SECRET = "my card 4111 and I'm leaving a one-star review"


@pytest.fixture
def team(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    careful_log(folder / "cara.sqlite", "cara")
    careful_log(folder / "cole.sqlite", "cole", T0 + 24 * HOUR, latency=30.0)
    passive_log(folder / "pat.sqlite", "pat", T0 + HOUR)
    overloaded_log(folder / "olly.sqlite", "olly", T0 + 2 * HOUR)
    escalated_chat(folder / "kim.sqlite", "kim", T0 + 3 * HOUR, store_text=True, words=SECRET)
    (folder / "junk.sqlite").write_text("not a database")
    return folder


def run_review(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", "review", *args], capture_output=True, text=True,
                          timeout=120)


def test_command_line_writes_html_and_csv_and_prints_json(team, tmp_path):
    html, table = tmp_path / "review.html", tmp_path / "review.csv"
    result = run_review("--logs", str(team), "--html", str(html), "--csv", str(table), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    agents = {a["agent"]: a for a in data["agents"]}
    assert set(agents) == {"cara", "cole", "kim", "olly", "pat"}
    assert data["raised"] == {"over_reliance": ["pat"], "overload": ["olly"]}
    pat = agents["pat"]
    assert pat["raised"] == ["over_reliance"] and pat["flags"]["over_reliance"]["raised"]
    assert pat["flags"]["over_reliance"]["explanation"].startswith("Passive over-reliance: 40 of 40 drafts used")
    assert pat["figures"]["acceptance_rate"] == 1.0 and pat["tier"] in ("high", "middle", "low")
    assert agents["kim"]["escalation_effort"]["emotional"]["escalations"] == 1
    assert [p["path"].endswith("junk.sqlite") for p in data["problems"]] == [True]
    assert "junk.sqlite is not a SQLite database" in result.stderr
    rows = list(csv.reader(table.open(encoding="utf-8-sig")))
    assert rows[0] == csv_header() and len(rows) == 6
    by_agent = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert by_agent["pat"]["over_reliance_raised"] == "yes" and by_agent["cara"]["over_reliance_raised"] == "no"
    assert float(by_agent["pat"]["acceptance_rate"]) == 1.0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for text in (result.stdout, table.read_text(encoding="utf-8-sig"), html.read_text(encoding="utf-8")):
        assert "4111" not in text and "one-star" not in text and "Dana" not in text  # no customer words


def test_nothing_loadable_exits_1_with_the_reasons(tmp_path):
    (tmp_path / "junk.sqlite").write_text("hello")
    result = run_review("--logs", str(tmp_path), "--json")
    assert result.returncode == 1
    assert "is not a SQLite database" in result.stderr and "no usage could be loaded" in result.stderr
    assert json.loads(result.stdout)["agents"] == []
    assert run_review("--json").returncode == 2  # exports need logs


def test_html_is_self_contained_with_a_chart_per_figure(team):
    review = review_logs([team])
    page = render_html(review)
    assert "<script" not in page.lower()
    external = re.findall(r'(?:src|href)\s*=\s*"([^"]+)"', page)
    assert external == []  # nothing to fetch: works offline and from an e-mail attachment
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
    assert page.count("<svg") >= 10
    for heading in ("Team distributions", "Performance tiers", "Escalations", "Agents"):
        assert heading in page
    assert 'class="flag over_reliance"' in page and "<title>pat: 100%</title>" in page
    assert "junk.sqlite is not a SQLite database" in page


def test_csv_of_chosen_rows_and_json_dict(team, tmp_path):
    review = review_logs([team])
    out = write_csv(review, tmp_path / "some.csv", agents=["pat", "cara"])
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert [r[0] for r in rows[1:]] == ["pat", "cara"]
    data = review_dict(review)
    json.dumps(data)  # JSON-ready throughout
    assert data["agents_count"] == 5 and data["sessions_count"] == 5
    assert [t["tier"] for t in data["tiers"]][:1] == ["high"]


def test_nice_ticks():
    assert nice_ticks(0, 1, 4) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 87, 4) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 700, 4, unit=60) == [0, 150, 300, 450, 600, 750]  # seconds, ticked in round minutes
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]
