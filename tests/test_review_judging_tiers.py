"""The review's flags (same answers as copilot.usage.flags), performance tiers, and one agent's drill-down:
flagged stretches, and customers' words only where the team opted into keeping message text."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from copilot.review.drilldown import agent_detail, without_quotes
from copilot.review.judging import judge_windows
from copilot.review.team import review_logs
from copilot.review.tiers import assign_tiers, segments
from copilot.usage.flags import compute_flags
from copilot.usage.metrics import compute_metrics
from tests.review_builders import HOUR, careful_log, escalated_chat, overloaded_log, passive_log
from tests.usage_log_builders import T0


@pytest.fixture
def team(tmp_path):
    careful_log(tmp_path / "cara.sqlite", "cara")
    careful_log(tmp_path / "cara2.sqlite", "cara", T0 + 24 * HOUR, latency=35.0)
    careful_log(tmp_path / "cole.sqlite", "cole", T0 + HOUR, latency=30.0)
    passive_log(tmp_path / "pat.sqlite", "pat", T0 + 2 * HOUR)
    passive_log(tmp_path / "pat2.sqlite", "pat", T0 + 26 * HOUR)
    overloaded_log(tmp_path / "olly.sqlite", "olly", T0 + 3 * HOUR)
    return tmp_path


def test_judge_windows_gives_compute_flags_answers(team):
    files = sorted(team.glob("*.sqlite"))
    for window in ("session", "day"):
        metrics = compute_metrics(files, window=window)
        expected = compute_flags(metrics)
        ours = [f for flags in judge_windows(metrics) for f in flags.values()]
        assert [(f.agent, f.key, f.kind, f.raised, f.basis, f.explanation) for f in ours] == \
            [(f.agent, f.key, f.kind, f.raised, f.basis, f.explanation) for f in expected]


def test_team_review_flags_passive_and_overloaded_only(team):
    review = review_logs([team])
    raised = {a.agent: sorted(f.kind for f in a.raised) for a in review.agents}
    assert raised == {"cara": [], "cole": [], "olly": ["overload"], "pat": ["over_reliance"]}
    pat = review.agent("pat")
    assert pat.flagged_sessions == 2 and "Passive over-reliance: 80 of 80 drafts used" in pat.flags["over_reliance"].explanation
    assert "the team (3 other agent(s)): 0%" in pat.flags["over_reliance"].explanation


def stub(name, latency, resolved, replies=50, ended=10):
    extras = SimpleNamespace(chats_ended=ended, resolution_rate=resolved)
    return SimpleNamespace(agent=name, figures=SimpleNamespace(reply_seconds=latency),
                           metrics=SimpleNamespace(tally=SimpleNamespace(replies_timed=replies)), extras=extras,
                           tier=None, score=None)


def test_tiers_rank_latency_and_resolution_and_leave_thin_data_unrated():
    agents = [stub("fast-good", 10, 0.95), stub("fast-poor", 12, 0.60), stub("slow-good", 60, 0.92),
              stub("slow-poor", 70, 0.55), stub("mid", 30, 0.80), stub("mid2", 35, 0.78),
              stub("new", 5, 1.0, replies=3), stub("quiet", 20, 0.9, ended=2)]
    assign_tiers(agents)
    tiers = {a.agent: a.tier for a in agents}
    assert tiers["fast-good"] == "high" and tiers["slow-poor"] == "low"
    assert tiers["new"] == tiers["quiet"] == "unrated"
    assert sorted(tiers.values()).count("high") == 2 and sorted(tiers.values()).count("low") == 2
    assert agents[0].score == 1.0 and agents[3].score == 0.0
    few = [stub("a", 10, 0.9), stub("b", 20, 0.8)]
    assign_tiers(few)
    assert {a.tier for a in few} == {"unrated"}  # two agents are not a team to rank


def test_tier_segments_compare_drafts_with_own_replies(team):
    review = review_logs([team])
    tiers = segments(review.agents)
    assert [s.tier for s in tiers] == ["high", "middle", "low"]
    assert tiers[0].agents == ["pat"] and tiers[-1].agents == ["olly"]
    for s in tiers:
        assert s.extras.assisted_replies + s.extras.own_replies == s.figures.replies
        assert "replies from drafts" not in s.summary() or " vs own " in s.summary()


def test_drilldown_shows_flagged_stretches_for_the_flagged_agents(team):
    review = review_logs([team])
    pat = agent_detail(review, "pat")
    assert len(pat.sessions) == 2 and len(pat.decisions) == 80
    assert all(d.unread for d in pat.decisions)
    assert {s.kind for s in pat.stretches} == {"over_reliance"}
    assert sum(s.end - s.start for s in pat.stretches) >= 15 * 60
    olly = agent_detail(review, "olly")
    overload = [s for s in olly.stretches if s.kind == "overload"]
    assert overload and overload[0].start >= T0 + 3 * HOUR + 20 * 60 - 300
    assert "5.0 chats open" in overload[0].why
    assert olly.concurrency and max(n for steps in olly.concurrency.values() for _, n in steps) == 5
    assert agent_detail(review, "cara").stretches == []


def test_customer_words_only_where_the_team_kept_text(tmp_path):
    words = "I'm leaving a one-star review, Dana here"
    escalated_chat(tmp_path / "kept.sqlite", "kim", T0, store_text=True, words=words)
    escalated_chat(tmp_path / "plain.sqlite", "pia", T0, store_text=False, words=words)
    review = review_logs([tmp_path])
    kept, plain = agent_detail(review, "kim"), agent_detail(review, "pia")
    assert kept.stores_text and not plain.stores_text
    assert kept.decisions[0].customer_text == words and plain.decisions[0].customer_text is None
    assert words in kept.escalations[0].trigger
    assert plain.escalations[0].trigger == "threatens to leave"
    assert plain.escalations[0].seconds_to_intervene == pytest.approx(30.0)
    assert review.agent("pia").extras.handover_frustration == pytest.approx(0.8)


def test_without_quotes_keeps_only_the_plain_words_part():
    assert without_quotes("angry message (frustration 0.95): 'WHY DOES NOBODY READ'") == "angry message (frustration 0.95)"
    assert without_quotes("frustration rose across 3 messages (0.1 → 0.3)") == "frustration rose across 3 messages (0.1 → 0.3)"
    assert without_quotes("customer repeated the question: 'don't you read?'") == "customer repeated the question"
    assert without_quotes(None) == ""


def test_period_overload_comes_from_the_sessions_each_judged_within_its_shift(tmp_path):
    careful_log(tmp_path / "calm.sqlite", "olly", T0)
    overloaded_log(tmp_path / "busy.sqlite", "olly", T0 + 24 * HOUR)
    careful_log(tmp_path / "cara.sqlite", "cara", T0)
    review = review_logs([tmp_path])
    olly = review.agent("olly")
    assert [bool(s.flags["overload"].raised) for s in olly.sessions] == [False, True]
    flag = olly.flags["overload"]
    assert flag.raised and flag.evidence["sessions_flagged"] == 1 and flag.evidence["sessions"] == 2
    assert flag.explanation.startswith("Multitasking overload in 1 of 2 sessions; it was the one from "
                                       "2026-01-02 00:00 UTC: for 25 min you had 5.0 chats open")
    cara = review.agent("cara").flags["overload"]
    assert not cara.raised and cara.explanation.startswith("No multitasking overload in the one session: ")
