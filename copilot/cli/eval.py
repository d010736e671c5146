"""`copilot eval --model MODEL_DIR --examples FILE.csv [--json]`: how good a model is on held-out data.

The figures and their definitions are in copilot/assist/metrics.py. Use examples the model was
not trained on. For the timings, run with OMP_NUM_THREADS=1 to measure one core.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread, as in the app's worker (effective if numpy is not loaded yet)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval", help="measure a diagnosis model on labelled examples (CSV: text,category)",
        description="Print n, accuracy, macro_f1, top3, coverage and precision when answering at the model's "
                    "abstain threshold, ece (calibration error of the confidence shown), in_scope_accuracy, "
                    "oos_recall and oos_auroc when the file has out-of-scope rows (category 'oos' or empty), "
                    "and p50_ms/p95_ms of one diagnosis. Definitions: copilot/assist/metrics.py.")
    parser.add_argument("--model", type=Path, required=True, metavar="MODEL_DIR", help="made by `copilot train`")
    parser.add_argument("--examples", type=Path, required=True, metavar="FILE.csv", help="held-out examples")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=handle)


def _fail(message: str) -> int:
    print(f"copilot eval: error: {message}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    from copilot.assist.dataset import DatasetError, load_examples
    from copilot.assist.engine import Conversation, Turn
    from copilot.assist.metrics import evaluate, latency_ms
    from copilot.assist.model import OOS, TextModel
    from copilot.assist.offline import OfflineEngine, default_playbooks_dir
    from copilot.assist.playbooks import load_playbooks
    from copilot.core.chat import Sender

    if not (args.model / "model.json").is_file():
        return _fail(f"{args.model} is not a model folder (no model.json); make one with `copilot train`")
    try:
        model = TextModel.load(args.model)
        examples = load_examples(args.examples, for_training=False)
    except (DatasetError, ValueError, OSError, KeyError, RuntimeError) as exc:
        return _fail(str(exc))
    unknown = sorted(set(examples.labels) - set(model.classes) - {OOS})
    if unknown:
        print(f"warning: categories the model does not know (always counted wrong): {', '.join(unknown)}",
              file=sys.stderr)
    books = {k: v for k, v in load_playbooks(default_playbooks_dir()).items() if k in model.classes}
    engine = OfflineEngine(model, books)

    def diagnose_one(text: str) -> None:
        engine.diagnose(Conversation("eval", "", (Turn(Sender.CUSTOMER, text, 0.0),), 1))

    figures = evaluate(model, examples.texts, examples.labels)
    figures.update(latency_ms(diagnose_one, examples.texts))
    if args.json:
        print(json.dumps(figures))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0
