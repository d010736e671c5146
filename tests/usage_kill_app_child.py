"""Runs the real app (Workbench, offscreen) in forked children for tests/test_usage_kill_app.py.

    python tests/usage_kill_app_child.py USAGE_LOG

Loads the app's modules once, then for each line "run SEED" on stdin forks a child that builds
the real Workbench on USAGE_LOG and works a passive self-test shift at 200x speed. The child prints
    pid <pid>
    session <usage log session id>
    e <kind> <ts> <wall time>        each time the workspace's record() has returned
and is killed by the test (SIGKILL); this process then prints "exit <pid> <wait status>".
Forking after the imports saves a few seconds per run, so 50 kills take about a minute. Nothing
in the app is changed: the child only wraps the workspace's recorder to report what it logged.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS worker threads in a process that forks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.assist.offline import OfflineEngine  # noqa: E402
from copilot.selftest.policy import ScriptedAgent  # noqa: E402
from copilot.session import SessionOptions  # noqa: E402
from copilot.ui.app import Workbench, application  # noqa: E402
from copilot.ui.selftest_driver import SelftestDriver  # noqa: E402


class ReportingRecorder:
    """Passes each record to the usage log, then says so on stdout (one write per line)."""

    def __init__(self, inner, out):
        self.inner, self.out = inner, out

    def record(self, kind, ts, /, **fields):
        self.inner.record(kind, ts, **fields)
        self.out.write(f"e {kind} {ts!r} {time.time()!r}\n")
        self.out.flush()

    def __getattr__(self, name):  # anything else the app asks of its recorder
        return getattr(self.inner, name)


def work_a_shift(log_path: str, seed: int) -> None:
    out = sys.stdout
    out.write(f"pid {os.getpid()}\n")
    out.flush()
    app = application()
    options = SessionOptions(agent="kill-test", policy="passive", seed=seed, speed=200.0, arrival_per_minute=20.0,
                             max_concurrent=8, total_chats=None, usage_log=Path(log_path))
    bench = Workbench(options)
    workspace = bench.session.workspace
    workspace.recorder = ReportingRecorder(workspace.recorder, out)
    out.write(f"session {bench.session.usage_log.session_id}\n")
    out.flush()
    driver = SelftestDriver(bench, ScriptedAgent("passive", bench.session.simulator, seed=seed),
                            total_chats=10**9, deadline_seconds=60)
    bench.window.show()
    bench.start()
    driver.finished.connect(app.quit)
    driver.start()
    app.exec()


def main() -> None:
    log_path = sys.argv[1]
    OfflineEngine.load_default()  # warms the model cache the children share
    assert threading.active_count() == 1, "no threads may be running when we fork"
    for line in sys.stdin:
        command = line.split()
        if command[:1] != ["run"]:
            continue
        pid = os.fork()
        if pid == 0:
            try:
                work_a_shift(log_path, int(command[1]))
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(3)  # only reached if nobody killed the child in time
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(f"exit {pid} {status}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
