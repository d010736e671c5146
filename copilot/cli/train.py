"""`copilot train --examples FILE.csv --out MODEL_DIR`: a diagnosis model from a team's own examples.

The model folder appears only once it is complete: training writes into a hidden sibling folder
and renames it at the end, so a failure (bad CSV, Ctrl-C, full disk) never leaves a half model
that the app would then try to load. An existing --out is replaced only when it holds nothing but
model files (model.*, as `copilot train` writes them): it is moved aside, the new model moved in,
and then only those files are removed. Anything else in the folder means it is not ours: refused.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

MODEL_FILE_PREFIX = "model."  # model.json, model.npz: what TextModel.save writes


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a diagnosis model from labelled examples (CSV: text,category)",
        description="Train the offline diagnosis model. The CSV needs a header with 'text' and 'category'; "
                    "an empty category or 'oos' (also out_of_scope, none, unknown, n/a) marks an out-of-scope example.")
    parser.add_argument("--examples", type=Path, required=True, metavar="FILE.csv", help="labelled examples")
    parser.add_argument("--out", type=Path, required=True, metavar="MODEL_DIR",
                        help="folder to write the model to (replaced if it already holds a model)")
    parser.add_argument("--target-precision", type=float, default=0.9,
                        help="the abstain threshold is set so held-out answers reach this precision (default 0.9)")
    parser.add_argument("--no-embeddings", action="store_true",
                        help="character and word n-grams only, even if word embeddings are installed")
    parser.set_defaults(func=handle)


def _fail(message: str) -> int:
    print(f"copilot train: error: {message}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    from copilot.assist.dataset import DatasetError, load_examples
    from copilot.assist.model import TextModel

    out: Path = args.out
    foreign = foreign_entries(out)
    if foreign:
        return _fail(f"{out} exists and is not a model folder (it holds {foreign}); nothing was changed: "
                     "choose another --out")
    if not 0.0 < args.target_precision <= 1.0:
        return _fail("--target-precision must be in (0, 1]")
    try:
        examples = load_examples(args.examples)
    except DatasetError as exc:
        return _fail(str(exc))
    counts = {c: examples.labels.count(c) for c in examples.classes}
    print(f"{len(examples.texts)} examples, {len(examples.in_scope_classes)} categories"
          + (f", {counts.get('oos', 0)} out-of-scope" if examples.has_oos else ""), file=sys.stderr)
    thin = [c for c, n in counts.items() if n < 5]
    if thin:
        print(f"warning: fewer than 5 examples for {', '.join(thin)}: expect weak diagnosis there",
              file=sys.stderr)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a model folder is ordinary shared data
    try:
        model = TextModel.train(examples.texts, examples.labels, target_precision=args.target_precision,
                                use_embeddings=False if args.no_embeddings else None)
        model.save(staging)
        swap_in(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)  # staging is ours: made by mkdtemp above
        return _fail(f"could not write the model to {out}: {exc.strerror or exc}")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info = model.info
    print(f"model written to {out}: {len(model.classes)} classes, abstain threshold {model.threshold:.2f}, "
          f"trained in {info.get('train_seconds', 0):.1f} s", file=sys.stderr)
    return 0


def foreign_entries(out: Path) -> str:
    """What in `out` was not written by `copilot train` ("" when it may be replaced)."""
    if not out.exists() and not out.is_symlink():
        return ""
    if out.is_symlink() or not out.is_dir():
        return "no folder but a file or link"
    others = sorted(p.name for p in out.iterdir()
                    if p.is_symlink() or not p.is_file() or not p.name.startswith(MODEL_FILE_PREFIX))
    if not others:
        return ""
    return ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")


def swap_in(staging: Path, out: Path) -> None:
    """Put the finished model at `out`; an old model there is moved aside, then its files removed.

    Never removes a file it did not check: the old folder is checked again once it is aside (so a
    file added meanwhile stops the cleanup, and the old folder is left beside, hidden).
    """
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    old.rmdir()  # only its unique name is wanted: Windows renames no folder onto another
    out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)  # put the old model back as it was
        raise
    if foreign_entries(old):
        return  # something appeared that is not ours: left in the hidden folder, untouched
    for path in old.iterdir():
        path.unlink()
    old.rmdir()
