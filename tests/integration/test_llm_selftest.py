"""A whole self-test shift with the LLM engine against llama-cpp-python's real server (SmolLM2-135M):
upset customers get de-escalation drafts written by the model, and the usage log says `llm` for
the session and for each suggestion's diagnosis and draft.

The shift is short on purpose: three chats with scripted angry customers, worked by the careful
agent (who rejects a wrong diagnosis and then writes the reply that resolves the chat, so the
shift ends whatever the tiny model says). A 135M model on one shared core can take tens of
seconds per suggestion, so the customers are given five times their usual patience: otherwise they
would nudge, and each nudge rightly cancels the model's stale work. The endpoint timeout is generous
too: a fallback to the offline engine would make the log say `offline_fallback`, and this test is
about the model's own suggestions.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from copilot.paths import resource

pytestmark = pytest.mark.slow
UPSET = ("late_delivery_dispute_threat", "defective_product_kettle_angry", "damaged_item_mirror_shouting")


def test_selftest_with_the_llm_engine_deescalates_and_logs_llm(llama_server, tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for name in UPSET:
        text = resource("scenarios", f"{name}.toml").read_text(encoding="utf-8")
        patience = re.search(r"^patience = (\d+)", text, re.MULTILINE)
        text = text.replace(patience.group(0), f"patience = {int(patience.group(1)) * 5}")
        (scenarios / f"{name}.toml").write_text(text, encoding="utf-8")
    log = tmp_path / "usage.sqlite"
    run = subprocess.run(
        [sys.executable, "-m", "copilot", "selftest", "--json", "--policy", "careful", "--engine", "llm",
         "--base-url", llama_server.base_url,
         "--model", "smollm2", "--max-tokens", "40", "--llm-timeout", "120", "--scenarios", str(scenarios),
         "--chats", "3", "--concurrency", "3", "--speed", "4", "--usage-log", str(log), "--timeout", "400"],
        capture_output=True, text=True, timeout=700)
    summary = json.loads(run.stdout)
    assert summary["ok"], (summary["checks"], summary["engine_notices"], run.stderr[-2000:])
    assert summary["engine"] == "llm:smollm2" and summary["session_engine_logged"] == "llm"
    assert summary["suggestions"]["routine_to_upset_customers"] == 0
    db = sqlite3.connect(log)
    rows = db.execute("SELECT s.draft_kind, s.diagnosis_engine, s.draft_engine FROM suggestions s "
                      "JOIN escalations e ON e.chat_id = s.chat_id AND e.type = 'emotional' AND s.ts >= e.ts").fetchall()
    assert rows, "no suggestion was shown to an upset customer"
    assert {kind for kind, _, _ in rows} <= {"deescalation", "chosen"}
    drafted = [r for r in rows if r[2]]
    assert drafted and all(diagnosed == "llm" and draft == "llm" for _, diagnosed, draft in drafted), rows
    assert db.execute("SELECT engine FROM sessions").fetchone()[0] == "llm"
