"""`copilot train` and `copilot eval`: a usable model from a good CSV, a clear error and no
partial model from a bad one."""
import argparse
import csv
import json

import pytest

from copilot.assist.offline import OfflineEngine
from copilot.cli import eval as eval_cmd
from copilot.cli import train as train_cmd

ROWS = {
    "late_delivery": ["my parcel is late", "order still not here after two weeks", "delivery is overdue",
                      "it was due monday and hasn't arrived", "where is my late package"],
    "charged_twice": ["I was charged twice", "two payments for one order", "double charge on my card",
                      "you billed me two times", "duplicate charge on my statement"],
    "oos": ["what's the weather", "tell me a joke", "are you hiring", "who won the game", "hello"],
}


def run(*argv):
    parser = argparse.ArgumentParser(prog="copilot")
    sub = parser.add_subparsers()
    train_cmd.register(sub)
    eval_cmd.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


def write_csv(path, rows=ROWS, blank_oos=True):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "category"])
        for cat, texts in rows.items():
            for t in texts:
                w.writerow([t, "" if (cat == "oos" and blank_oos) else cat])
    return path


def test_train_then_eval_then_load(tmp_path, capsys):
    data = write_csv(tmp_path / "ex.csv")
    out = tmp_path / "model"
    assert run("train", "--examples", str(data), "--out", str(out)) == 0
    assert (out / "model.json").is_file() and (out / "model.npz").is_file()
    capsys.readouterr()
    assert run("eval", "--model", str(out), "--examples", str(data), "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    for key in ("n", "accuracy", "macro_f1", "top3", "coverage", "precision", "in_scope_accuracy",
                "oos_recall", "p50_ms", "p95_ms"):
        assert key in figures
    assert figures["n"] == 15 and figures["accuracy"] >= 0.8 and figures["p95_ms"] > 0
    engine = OfflineEngine.load(out)
    assert set(engine.model.classes) == {"late_delivery", "charged_twice", "oos"}


def test_eval_without_oos_rows_has_no_oos_figures(tmp_path, capsys):
    data = write_csv(tmp_path / "ex.csv")
    in_scope = write_csv(tmp_path / "in.csv", {k: v for k, v in ROWS.items() if k != "oos"})
    run("train", "--examples", str(data), "--out", str(tmp_path / "m"), "--no-embeddings")
    capsys.readouterr()
    assert run("eval", "--model", str(tmp_path / "m"), "--examples", str(in_scope), "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert "oos_recall" not in figures and figures["n"] == 10


def test_retrain_replaces_a_model_folder(tmp_path):
    data = write_csv(tmp_path / "ex.csv")
    out = tmp_path / "m"
    assert run("train", "--examples", str(data), "--out", str(out), "--no-embeddings") == 0
    assert run("train", "--examples", str(data), "--out", str(out), "--no-embeddings") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ex.csv", "m"]


BAD = {
    "missing_column": ("text,label\nhello,late_delivery\n".encode(), "missing column"),
    "empty": (b"", "empty"),
    "header_only": (b"text,category\n", "no examples"),
    "one_class": ("text,category\nmy parcel is late,late\nstill late,late\nhi,oos\n".encode(), "at least 2"),
    "not_utf8": ("text,category\ncaf\u00e9 late,late\nbill twice,charged\n".encode("latin-1"), "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_csv_is_a_clear_error_and_leaves_nothing(tmp_path, capsys, case):
    content, message = BAD[case]
    data = tmp_path / "bad.csv"
    data.write_bytes(content)
    out = tmp_path / "models" / "m"
    assert run("train", "--examples", str(data), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.csv" in err and "Traceback" not in err
    assert not out.exists()
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_refuses_to_overwrite_a_folder_that_is_not_a_model(tmp_path, capsys):
    data = write_csv(tmp_path / "ex.csv")
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert run("train", "--examples", str(data), "--out", str(precious)) == 2
    assert (precious / "notes.txt").read_text() == "keep me"


def test_eval_of_a_missing_model_is_a_clear_error(tmp_path, capsys):
    data = write_csv(tmp_path / "ex.csv")
    assert run("eval", "--model", str(tmp_path / "nope"), "--examples", str(data)) == 2
    assert "not a model folder" in capsys.readouterr().err


def test_a_folder_with_a_model_json_and_other_files_is_not_deleted(tmp_path, capsys):
    """Before: any folder holding a model.json was removed whole (rmtree), with the user's files in it."""
    data = write_csv(tmp_path / "ex.csv")
    precious = tmp_path / "project"
    precious.mkdir()
    (precious / "model.json").write_text("{}")
    (precious / "notes.txt").write_text("keep me")
    (precious / "sub").mkdir()
    (precious / "sub" / "data.csv").write_text("a,b")
    assert run("train", "--examples", str(data), "--out", str(precious), "--no-embeddings") == 2
    err = capsys.readouterr().err
    assert "not a model folder" in err and "notes.txt" in err and "Traceback" not in err
    assert (precious / "notes.txt").read_text() == "keep me"
    assert (precious / "sub" / "data.csv").read_text() == "a,b" and (precious / "model.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ex.csv", "project"]  # no staging folder left


def test_a_file_added_while_training_stops_the_cleanup(tmp_path, monkeypatch):
    """The old model is moved aside before its files are removed; one that is not ours keeps it all."""
    data = write_csv(tmp_path / "ex.csv")
    out = tmp_path / "m"
    assert run("train", "--examples", str(data), "--out", str(out), "--no-embeddings") == 0
    from copilot.assist.model import TextModel

    real_save = TextModel.save

    def save_and_meddle(self, directory):
        real_save(self, directory)
        (out / "added-meanwhile.txt").write_text("mine")

    monkeypatch.setattr(TextModel, "save", save_and_meddle)
    assert run("train", "--examples", str(data), "--out", str(out), "--no-embeddings") == 0
    assert sorted(p.name for p in out.iterdir()) == ["model.json", "model.npz"]
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(".m.old.")]
    assert len(kept) == 1 and (kept[0] / "added-meanwhile.txt").read_text() == "mine"
