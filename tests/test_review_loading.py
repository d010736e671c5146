"""Loading many usage logs for a review: bad files get a clear message, the rest still load, files
are never changed, a session found twice is counted once, and loading reports progress and stops
when cancelled."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from copilot.review.loading import load_logs
from copilot.review.team import review_logs
from copilot.usage.metrics import compute_metrics
from tests.review_builders import HOUR, careful_log, newer_schema_copy, other_app_db, passive_log
from tests.usage_log_builders import T0, open_log


def digest(folder: Path) -> dict[str, str]:
    """Every file in the folder (names and bytes): a review must not add, remove or change any."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def messy_team(tmp_path) -> Path:
    team = tmp_path / "team"
    team.mkdir()
    careful_log(team / "cara.sqlite", "cara")
    passive_log(team / "pat.sqlite", "pat", T0 + HOUR)
    (team / "notes.sqlite").write_text("agent,accepted\ncara,12\n")  # not SQLite at all
    other_app_db(team / "browser.db")
    newer_schema_copy(team / "cara.sqlite", team / "future.sqlite")
    (team / "pat_copy.sqlite").write_bytes((team / "pat.sqlite").read_bytes())  # the same sessions again
    (team / "blank.sqlite").write_bytes(b"")  # an empty file
    log = open_log(team / "idle.sqlite", "ida", T0)  # a usage log in which nothing happened
    log.close(ended_at=T0)
    return team


def test_each_bad_file_gets_a_clear_message_and_the_others_load(messy_team):
    before = digest(messy_team)
    review = review_logs([messy_team])
    assert digest(messy_team) == before  # nothing written, not even -wal/-shm files
    assert [a.agent for a in review.agents] == ["cara", "pat"]
    problems = {Path(p.path).name: p for p in review.problems}
    assert set(problems) == {"notes.sqlite", "browser.db", "future.sqlite", "pat_copy.sqlite", "blank.sqlite",
                             "idle.sqlite"}
    assert "is not a SQLite database" in problems["notes.sqlite"].message
    assert "database of another application" in problems["browser.db"].message
    assert "newer Agent Copilot (usage log schema v99" in problems["future.sqlite"].message
    assert problems["pat_copy.sqlite"].kind == "duplicate"
    assert "all 1 session(s) of pat (started 2026-01-01 01:00 UTC) are also in" in problems["pat_copy.sqlite"].message
    assert "the same agent and session" in problems["pat_copy.sqlite"].message
    assert "counted once" in problems["pat_copy.sqlite"].message
    assert problems["blank.sqlite"].kind == "empty" and "is empty" in problems["blank.sqlite"].message
    assert problems["idle.sqlite"].kind == "empty" and "no usage recorded" in problems["idle.sqlite"].message
    assert all("left untouched" in problems[n].message for n in ("notes.sqlite", "browser.db", "future.sqlite"))
    # The duplicate counted once: pat's figures are those of the one file.
    single = compute_metrics(messy_team / "pat.sqlite")[0]
    assert review.agent("pat").figures == single.figures
    assert len(review.agent("pat").sessions) == 1


def test_a_log_of_the_same_agent_with_one_shared_session_adds_only_the_new_one(tmp_path):
    first = careful_log(tmp_path / "a.sqlite", "cara")
    second = tmp_path / "b.sqlite"
    second.write_bytes(first.read_bytes())
    careful_log(second, "cara", T0 + 24 * HOUR)  # the copy gained a later session
    review = review_logs([first, second])
    cara = review.agent("cara")
    assert len(cara.sessions) == 2
    note, = review.problems
    assert note.kind == "duplicate" and "1 of 2 session(s) of cara (started 2026-01-01 00:00 UTC)" in note.message
    expected = compute_metrics([second])  # the second file alone holds both sessions
    assert cara.figures.decisions == sum(m.figures.decisions for m in expected)


def test_merging_agents_across_files_matches_the_usage_metrics(tmp_path):
    files = [careful_log(tmp_path / "cara1.sqlite", "cara"),
             careful_log(tmp_path / "cara2.sqlite", "cara", T0 + 24 * HOUR, latency=40.0),
             passive_log(tmp_path / "pat.sqlite", "pat")]
    review = review_logs(files)
    cara = review.agent("cara")
    by_day = compute_metrics(files, agent="cara", window="week")  # both days fall in one ISO week
    assert len(by_day) == 1 and cara.figures == by_day[0].figures
    assert cara.figures.reply_seconds == pytest.approx(30.0)
    assert [s.session.path for s in cara.sessions] == [str(files[0].resolve()), str(files[1].resolve())]
    assert cara.extras.chats_ended == 10 and cara.extras.resolution_rate == 1.0


def test_since_and_until_limit_what_is_read(tmp_path):
    files = [careful_log(tmp_path / "d1.sqlite", "cara"), careful_log(tmp_path / "d2.sqlite", "cara", T0 + 24 * HOUR)]
    review = review_logs(files, since=T0 + 12 * HOUR)
    assert len(review.agent("cara").sessions) == 1
    assert Path(review.problems[0].path).name == "d1.sqlite" and "in the chosen time range" in review.problems[0].message


def test_progress_after_every_file_and_cancel_stops_early(tmp_path):
    for n in range(6):
        careful_log(tmp_path / f"agent{n}.sqlite", f"agent{n}", T0 + n * HOUR)
    seen = []
    result = load_logs([tmp_path], progress=lambda done, total, path: seen.append((done, total)))
    assert seen == [(n, 6) for n in range(1, 7)] and not result.cancelled and len(result.sessions) == 6

    calls = []
    result = load_logs([tmp_path], progress=lambda *a: calls.append(a), cancelled=lambda: len(calls) >= 2)
    assert result.cancelled and len(result.sessions) == 2
    assert result.problems[-1].kind == "cancelled" and "4 file(s) not read" in result.problems[-1].message


def test_missing_paths_and_folders_without_logs_are_reported(tmp_path):
    (tmp_path / "empty-folder").mkdir()
    review = review_logs([tmp_path / "nowhere.sqlite", tmp_path / "empty-folder"])
    assert not review.agents
    messages = [p.message for p in review.problems]
    assert any("There is no file or folder" in m for m in messages)
    assert any("holds no usage logs" in m for m in messages)


def test_the_fast_opener_is_read_only_and_defers_odd_files_to_the_usage_checks(tmp_path):
    import sqlite3

    from copilot.review.loading import open_log
    from copilot.usage.errors import UsageLogError

    good = careful_log(tmp_path / "good.sqlite", "cara")
    conn = open_log(good)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("CREATE TABLE x (a)")
    conn.close()
    future = newer_schema_copy(good, tmp_path / "future.sqlite")
    with pytest.raises(UsageLogError, match="newer Agent Copilot"):
        open_log(future)
    with pytest.raises(UsageLogError, match="There is no usage log"):
        open_log(tmp_path / "missing.sqlite")
