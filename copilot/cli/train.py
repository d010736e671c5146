"""`copilot train --examples FILE.csv --out MODEL_DIR`: a diagnosis model from a team's own examples.

The model folder appears only once it is complete: training writes into a hidden sibling folder
and renames it at the end, so a failure (bad CSV, Ctrl-C, full disk) never leaves a half model
that the app would then try to load.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path


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
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "model.json").exists())):
        return _fail(f"{out} exists and is not a model folder; choose another --out")
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
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info = model.info
    print(f"model written to {out}: {len(model.classes)} classes, abstain threshold {model.threshold:.2f}, "
          f"trained in {info.get('train_seconds', 0):.1f} s", file=sys.stderr)
    return 0
