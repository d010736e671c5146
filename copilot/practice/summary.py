"""Practice results as plain text: what the practice window shows and `copilot practice` prints."""
from __future__ import annotations

from copilot.practice.result import PracticeResult
from copilot.practice.transcript import LABELS, WEIGHTS, ChatScore


def chat_summary(score: ChatScore) -> str:
    lines = [f"Chat {score.number}: {score.score:.0f}/100 — {score.title} ({score.difficulty})"]
    lines += [f"  {p.label}: {p.points:.1f}/{p.max_points:.0f}. {p.why}" for p in score.parts]
    lines.append(f"Tip: {score.tip}")
    return "\n".join(lines)


def session_summary(result: PracticeResult) -> str:
    done = "" if result.complete else f" ({len(result.chats)} of {result.planned} chats played)"
    lines = [f"Practice score {result.score:.0f}/100 over {result.planned} chats{done}, "
             f"{(result.ended_at - result.started_at) / 60:.0f} minutes"]
    lines += [f"  {LABELS[key]:<22} {share * WEIGHTS[key]:5.1f} / {WEIGHTS[key]:.0f}"
              for key, share in result.part_shares().items()]
    lines.append(f"Tip: {result.tip}")
    lines += [f"  chat {c.number}: {c.score:5.1f}  {c.title} ({c.difficulty})" for c in result.chats]
    return "\n".join(lines)
