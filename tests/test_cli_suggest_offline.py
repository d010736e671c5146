"""`copilot suggest --engine offline`: an out-of-scope chat gets no category and no draft, only hints."""
import json

from copilot.__main__ import main


def write(tmp_path, text):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"messages": [{"from": "customer", "text": text}]}), encoding="utf-8")
    return str(path)


def test_not_one_of_ours_carries_hints_and_no_draft(tmp_path, capsys):
    assert main(["suggest", "--transcript", write(tmp_path, "what's the capital of peru?"), "--engine", "offline",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    d = out["diagnosis"]
    assert d["abstained"] and d["category"] == "" and d["label"] == "" and out["draft"] is None
    assert len(d["top"]) == 3 and all(0 < c["confidence"] < 1 for c in d["top"])
    assert main(["suggest", "--transcript", write(tmp_path, "what's the capital of peru?"), "--engine", "offline"]) == 0
    assert "Diagnosis: No matching category (nearest: " in capsys.readouterr().out


def test_a_clear_request_is_diagnosed_below_certainty(tmp_path, capsys):
    assert main(["suggest", "--transcript", write(tmp_path, "I was charged twice for order 48213, please refund one"),
                 "--engine", "offline", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["diagnosis"]
    assert not d["abstained"] and d["category"] == "charged_twice" and d["confidence"] <= 0.99
