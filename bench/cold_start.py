"""Cold start to a shown window: the frozen bundle against `python -m copilot`, whole process.

    python bench/cold_start.py                      # offscreen, 7 runs each, dist/agent-copilot
    xvfb-run -a python bench/cold_start.py --platform xcb
    python bench/cold_start.py --drop-caches        # as root: empty the page cache before each run

Each run starts a fresh process with COPILOT_EXIT_AFTER_SHOWN=1: the app prints the wall-clock
time of its main window's first paint and quits. The figure is that time minus the moment just
before the process was spawned, so interpreter start, imports, model loading, the session and
the first paint all count. Settings name an agent, so the first-run welcome is not in the way.
Runs alternate between the two programs so background load hits both alike; medians are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def one_run(command: list[str], env: dict, timeout: float) -> float:
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    shown = [line for line in result.stdout.splitlines() if line.startswith("shown ")]
    if result.returncode != 0 or not shown:
        raise SystemExit(f"cold_start: {command[0]} did not show its window:\n{result.stdout}\n{result.stderr[-2000:]}")
    return float(shown[0].split()[1]) - started


def summarise(times: list[float]) -> dict:
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "runs": [round(t, 3) for t in times]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per program (default 7)")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "agent-copilot",
                        help="the one-folder bundle (default dist/agent-copilot)")
    parser.add_argument("--platform", default="offscreen",
                        help="QT_QPA_PLATFORM (default offscreen; xcb needs a display)")
    parser.add_argument("--drop-caches", action="store_true", help="empty the page cache before each run (root)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    frozen = args.bundle / ("agent-copilot-cli.exe" if sys.platform == "win32" else "agent-copilot")
    programs = {"python -m copilot": [sys.executable, "-m", "copilot"]}
    if frozen.exists():
        programs["frozen"] = [str(frozen)]
    else:
        print(f"cold_start: no bundle at {args.bundle} (python packaging/build.py); timing Python only",
              file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.mkdir()
        (config / "settings.json").write_text(json.dumps({"agent_name": "Bench"}), encoding="utf-8")
        env = dict(os.environ, QT_QPA_PLATFORM=args.platform, COPILOT_EXIT_AFTER_SHOWN="1",
                   COPILOT_CONFIG_DIR=str(config), COPILOT_DATA_DIR=str(Path(tmp) / "data"))
        for command in programs.values():  # one unmeasured run each: bytecode caches, fonts
            one_run(command, env, args.timeout)
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, command in programs.items():
                if args.drop_caches:
                    drop_caches()
                times[name].append(one_run(command, env, args.timeout))

    report = {"platform": args.platform, "drop_caches": args.drop_caches, "cpus": os.cpu_count(),
              "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
              **{name: summarise(t) for name, t in times.items()}}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"cold start to a shown window ({args.platform}, {args.runs} runs, load {report['load_average']})")
        for name in programs:
            s = report[name]
            print(f"  {name:18} median {s['median_s']:.2f} s   (min {s['min_s']:.2f}, max {s['max_s']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
