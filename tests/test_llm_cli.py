"""`copilot suggest`: a transcript file in, the diagnosis and draft out (docs/transcript-format.md)."""
from __future__ import annotations

import json

import pytest

from copilot.__main__ import main
from tests.llm_fake_server import FakeOpenAI

TRANSCRIPT = {"customer_name": "Ana Silva", "messages": [
    {"from": "customer", "text": "Hi, my parcel hasn't arrived yet, it was due Monday"},
    {"from": "agent", "text": "Sorry to hear that! Could you send me your order number?"},
    {"from": "customer", "text": "It's #48213"},
    {"from": "agent", "text": "(anything after the last customer message is ignored)"},
]}


@pytest.fixture
def transcript(tmp_path):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(TRANSCRIPT), encoding="utf-8")
    return path


def run(capsys, *args):
    status = main(["suggest", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_offline_json(capsys, transcript):
    status, out, _ = run(capsys, "--transcript", transcript, "--engine", "offline", "--json")
    result = json.loads(out)
    assert status == 0 and result["engine"] == "offline" and result["fallback"] is None
    assert result["diagnosis"]["category"] == "late_delivery" and "48213" in result["draft"]["text"]
    assert result["draft"]["flags"] == []


def test_llm_json_against_an_endpoint(capsys, transcript):
    server = FakeOpenAI()
    server.default = lambda body: ("stream", ["Thanks Ana, ", "I'll refund you ", "in full today."]) if body.get(
        "stream") else ("json", json.dumps({"category": "late_delivery", "confidence": 0.8}))
    try:
        status, out, _ = run(capsys, "--transcript", transcript, "--engine", "llm", "--base-url", server.base_url,
                             "--model", "smol", "--json")
    finally:
        server.close()
    result = json.loads(out)
    assert status == 0 and result["engine"] == "llm:smol" and result["diagnosis"]["confidence"] == 0.8
    assert result["draft"]["text"] == "Thanks Ana, I'll refund you in full today."
    assert any("full refund" in f for f in result["draft"]["flags"])
    assert server.requests[0]["model"] == "smol"


def test_plain_output_streams_the_draft(capsys, transcript):
    status, out, _ = run(capsys, "--transcript", transcript)
    assert status == 0 and out.startswith("Draft: ") and "Diagnosis: Late delivery" in out and "Engine: offline" in out


def test_failed_endpoint_falls_back_or_fails_with_strict(capsys, transcript):
    args = ("--transcript", transcript, "--engine", "llm", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "2")
    status, out, err = run(capsys, *args, "--json")
    result = json.loads(out)
    assert status == 0 and result["engine"] == "offline (fallback)" and "Could not reach" in result["fallback"]
    assert "warning:" in err
    status, out, _ = run(capsys, *args, "--strict", "--json")
    assert status == 3 and out == ""


@pytest.mark.parametrize("content,message", [
    ("{not json", "chat.json"), ('{"messages": []}', "no customer message"),
    ('{"messages": [{"from": "bot", "text": "x"}]}', "messages[0]"), ('"hello"', "'messages' list")])
def test_bad_transcripts_are_named(capsys, tmp_path, content, message):
    path = tmp_path / "chat.json"
    path.write_text(content, encoding="utf-8")
    status, _, err = run(capsys, "--transcript", path)
    assert status == 2 and message in err


def test_bad_endpoint_option(capsys, transcript):
    status, _, err = run(capsys, "--transcript", transcript, "--engine", "llm", "--base-url", "ftp://x")
    assert status == 2 and "http://" in err
