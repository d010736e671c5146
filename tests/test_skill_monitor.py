"""`copilot practice` and the skill monitor end to end: scripted agents' shifts and practices in real
usage logs, judged by the real usage flags, shown in `copilot review` beside them. No Qt."""
from __future__ import annotations

import json

import pytest

from copilot.__main__ import main
from copilot.practice.decline import SkillThresholds, check_decline
from copilot.practice.monitor import NOTE

START = "2026-01-05T09:00"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_scripted_practice_prints_score_breakdown_and_tip(capsys):
    code, out, _ = run(capsys, "practice", "--agent", "ann", "--policy", "careful", "--skill", "0.8",
                       "--seed", "3", "--start", START, "--json")
    assert code == 0
    report = json.loads(out)
    assert 0 <= report["score"] <= 100 and report["complete"] and len(report["chats"]) == 5
    assert set(report["breakdown"]) == {"diagnosis", "facts", "resolution", "promises", "satisfaction", "time"}
    assert sum(p["weight"] for p in report["breakdown"].values()) == 100
    assert report["tip"] and all(c["tip"] for c in report["chats"])
    assert report["skill_now"] == 0.8 and report["shifts"] == 5 and report["passive_share"] == 0.0
    assert sorted(c["difficulty"] for c in report["chats"]) == ["easy", "easy", "hard", "medium", "medium"]
    code, text, _ = run(capsys, "practice", "--agent", "ann", "--policy", "careful", "--skill", "0.8", "--seed", "3",
                        "--start", START)
    assert code == 0 and text.startswith("ann (careful, skill 0.8):\nPractice score ") and "Tip: " in text
    # the same seed plays the same practice
    assert json.loads(run(capsys, "practice", "--agent", "ann", "--policy", "careful", "--skill", "0.8", "--seed", "3",
                          "--start", START, "--json")[1])["score"] == report["score"]


@pytest.mark.parametrize("argv,message", [
    (["--skill", "1.5"], "--skill must be between 0.0 and 1.0, not 1.5"),
    (["--skill", "0.5", "--chats", "0"], "--chats must be between 1 and 20, not 0"),
    (["--skill", "0.5", "--weeks", "0"], "--weeks must be between 1 and 520, not 0"),
    (["--skill", "0.5", "--blind-first", "1"], "--blind-first must be 0 (off) or from 2 to 100, not 1"),
])
def test_bad_input_is_refused_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, "practice", "--policy", "passive", *argv)
    assert code == 2 and out == ""
    assert err.strip() == f"copilot practice: {message}"


def test_a_file_that_is_not_a_usage_log_is_refused_and_left_alone(capsys, tmp_path):
    other = tmp_path / "notes.sqlite"
    other.write_text("not a database")
    code, _, err = run(capsys, "practice", "--policy", "careful", "--skill", "0.5", "--usage-log", str(other))
    assert code == 2 and err.startswith("copilot practice: ") and len(err.strip().splitlines()) == 1
    assert other.read_text() == "not a database"


def test_the_review_shows_skill_trends_beside_reliance(capsys, tmp_path):
    logs = {}
    for name, policy in (("cara", "careful"), ("pat", "passive"), ("dee", "decaying")):
        logs[name] = tmp_path / f"{name}.sqlite"
        code, out, err = run(capsys, "practice", "--agent", name, "--policy", policy, "--skill", "0.8",
                             "--weeks", "10", "--shifts-per-week", "2", "--shift-chats", "12", "--blind-first", "4",
                             "--seed", "5", "--start", START, "--usage-log", str(logs[name]), "--json")
        assert code == 0, err
        report = json.loads(out)
        assert len(report["practices"]) == 10 and report["usage_log"] == str(logs[name])
        if policy == "decaying":
            assert report["skill_now"] < 0.8 * 0.97  # 20 passive shifts
    html = tmp_path / "team.html"
    code, out, err = run(capsys, "review", "--logs", *map(str, logs.values()), "--json", "--html", str(html))
    assert code == 0, err
    review = json.loads(out)
    skill = review["skill"]
    assert skill["note"] == NOTE and "coaching, not ranking" in skill["note"]
    agents = {a["agent"]: a for a in skill["agents"]}
    assert list(agents) == ["cara", "dee", "pat"]  # by name, never by score
    for name in agents:
        a = agents[name]
        assert a["practices"] == 10 and a["judged"] and a["level"] is not None
        weeks = a["weeks"]
        assert len(weeks) == 10 and all(w["practices"] == 1 for w in weeks)
        assert sum(w["blind_picks"] for w in weeks) >= 40  # 1 chat in 4 of 240
        assert all(w["outcome_agreement"] is not None for w in weeks)
        flagged = [w["reliance_flagged"] for w in weeks]
        if name == "cara":
            assert not any(flagged) and a["nudge"] is None
        else:  # passive use is flagged by the usage log's own rule
            assert all(flagged) and a["reliance_flagged"]
            assert a["nudge"] is None  # judged at the period's end, just after their practice
    assert review["raised"]["over_reliance"] == ["dee", "pat"]
    page = html.read_text(encoding="utf-8")
    assert "Skill trends (for coaching, not ranking)" in page and "Weeks flagged for reliance" in page


def test_the_rule_explains_itself():
    t = SkillThresholds()
    assert "Not judged yet: 3 practice(s); the first 8 set the baseline." == check_decline([80, 82, 79], t).explanation
    steady = check_decline([80.0] * 12, t)
    assert steady.judged and not steady.falling and steady.explanation.startswith("Steady:")
    fallen = check_decline([80.0] * 8 + [60.0] * 3, t)
    assert fallen.falling and fallen.alarms[0].at == 10  # 17 + 17 + 17 = 51 >= 40 at the third
    assert fallen.explanation.startswith("Skill falling: practice scores fell short of the baseline 80 by 51")
    # after the next 8 practices the lower level is the new baseline: one fall, one alarm
    settled = check_decline([80.0] * 8 + [60.0] * 11, t)
    assert not settled.falling and len(settled.alarms) == 1 and settled.baseline == 60.0
