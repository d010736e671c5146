"""The Matrix source against a real Synapse with 50 open rooms: latency, reconnection, resync.

    python bench/matrix_source.py [--rooms 50] [--messages 300] [--restarts 5] [--json FILE]

Needs matrix-synapse (the test extra). Starts a homeserver on a free loopback port (SQLite),
registers an agent and one customer per room, and measures:
- latency: from the moment the server accepted a customer's message (its PUT answered) to the
  moment the source's poll() (called every 100 ms, as the window does) hands it over. Beside it,
  in the same run, the same messages seen by a bare /sync long-poll client (the floor any Matrix
  client has); the difference is what the source adds. Target: p95 <= 1 s.
- reconnection: Synapse killed (SIGKILL) and started again; from the moment it answers again to
  the source reporting CONNECTED. Target: <= 5 s.
- resync: the app stopped, customers write meanwhile (and during each server restart), the app
  started again: every message reported exactly once, none lost.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from copilot.core.events import ConnectionChanged, CustomerMessage, Link  # noqa: E402
from copilot.sources.config import SourceConfig  # noqa: E402
from copilot.sources.matrix.api import MatrixApi  # noqa: E402
from copilot.sources.matrix.source import MatrixSource  # noqa: E402
from tests.matrix.synapse_server import SynapseServer  # noqa: E402

POLL_EVERY = 0.1  # the window's timer


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Poller:
    """Calls poll() every 100 ms on its own thread (the UI thread's role) and notes arrival times."""

    def __init__(self, source: MatrixSource):
        self.source = source
        self.arrived: dict[str, float] = {}  # message text -> when poll() returned it
        self.texts: list[str] = []
        self.links: list[tuple[float, ConnectionChanged]] = []
        self.poll_seconds: list[float] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(POLL_EVERY):
            started = time.perf_counter()
            events = self.source.poll(time.time())
            self.poll_seconds.append(time.perf_counter() - started)
            now = time.monotonic()
            for event in events:
                if isinstance(event, CustomerMessage):
                    self.arrived.setdefault(event.text, now)
                    self.texts.append(event.text)
                elif isinstance(event, ConnectionChanged):
                    self.links.append((now, event))

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()


class BareSync:
    """The floor: a plain /sync long-poll client in the agent's account, noting when each text arrives."""

    def __init__(self, url: str, token: str):
        self.api = MatrixApi(url, token)
        self.arrived: dict[str, float] = {}
        self._stop = threading.Event()
        self.since = self.api.sync(None, 0, "{}")["next_batch"]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.api.sync(self.since, 30_000, "{}")
            except Exception:
                time.sleep(0.2)
                continue
            now = time.monotonic()
            for room in ((data.get("rooms") or {}).get("join") or {}).values():
                for event in (room.get("timeline") or {}).get("events") or ():
                    body = (event.get("content") or {}).get("body")
                    if isinstance(body, str):
                        self.arrived.setdefault(body, now)
            self.since = data.get("next_batch", self.since)

    def stop(self) -> None:
        self._stop.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-matrix-"))
    server = SynapseServer(folder / "synapse").start()
    agent = server.register("agent", "agent-password", displayname="Dana")
    customers = []
    for n in range(args.rooms):
        account = server.register(f"customer{n}", "pw", displayname=f"Customer {n}")
        api = MatrixApi(server.url, account["access_token"])
        room = api.create_room([agent["user_id"]])
        api.send_text(room, "hello", f"room {n}: hello")
        customers.append((api, room))
    config = SourceConfig(kind="matrix", url=server.url, user="agent")
    source = MatrixSource(config, "agent-password", folder / "data")
    source.start()
    poller = Poller(source)
    while len(poller.arrived) < args.rooms:
        time.sleep(0.1)
    bare = BareSync(server.url, agent["access_token"])
    sent: set[str] = {f"room {n}: hello" for n in range(args.rooms)}

    # ---- latency over 50 open rooms --------------------------------------------------------
    accepted: dict[str, float] = {}
    for i in range(args.messages):
        api, room = customers[i % args.rooms]
        text = f"room {i % args.rooms}: message {i}"
        api.send_text(room, f"m{i}", text)
        accepted[text] = time.monotonic()
        sent.add(text)
        time.sleep(0.05)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(t in poller.arrived and t in bare.arrived for t in accepted):
        time.sleep(0.1)
    ours = [poller.arrived[t] - accepted[t] for t in accepted if t in poller.arrived]
    floor = [bare.arrived[t] - accepted[t] for t in accepted if t in bare.arrived]
    bare.stop()

    # ---- reconnection after the server comes back ------------------------------------------
    reconnects = []
    for r in range(args.restarts):
        server.kill()
        api, room = customers[r]
        time.sleep(3.0)
        server.start()
        back = time.monotonic()
        text = f"room {r}: after restart {r}"
        api.send_text(room, f"r{r}", text)  # written the moment the server is back
        sent.add(text)
        while not any(at >= back and e.state is Link.CONNECTED for at, e in poller.links):
            if time.monotonic() - back > 60:
                break
            time.sleep(0.02)
        connected = [at for at, e in poller.links if at >= back and e.state is Link.CONNECTED]
        reconnects.append(connected[0] - back if connected else float("inf"))

    # ---- resync after the app was closed ---------------------------------------------------
    time.sleep(1.0)
    poller.stop()
    source.stop()
    for i in range(args.rooms * 2):
        api, room = customers[i % args.rooms]
        text = f"room {i % args.rooms}: while closed {i}"
        api.send_text(room, f"c{i}", text)
        sent.add(text)
    restarted = MatrixSource(config, "agent-password", folder / "data")
    started = time.monotonic()
    restarted.start()
    again = Poller(restarted)
    closed_texts = {t for t in sent if "while closed" in t}
    while not closed_texts <= set(again.texts) and time.monotonic() - started < 60:
        time.sleep(0.1)
    catch_up = time.monotonic() - started
    time.sleep(1.0)
    again.stop()
    restarted.stop()
    server.stop()

    seen_first = poller.texts
    first_run = set(sent) - closed_texts
    load = os.getloadavg()
    figures = {
        "rooms": args.rooms, "messages": len(accepted),
        "latency_p50_s": round(statistics.median(ours), 3), "latency_p95_s": round(percentile(ours, 95), 3),
        "latency_max_s": round(max(ours), 3),
        "bare_sync_p50_s": round(statistics.median(floor), 3), "bare_sync_p95_s": round(percentile(floor, 95), 3),
        "poll_max_ms": round(1000 * max(poller.poll_seconds), 2),
        "reconnect_s": [round(r, 2) for r in reconnects], "reconnect_max_s": round(max(reconnects), 2),
        "first_run_lost": len(first_run - set(seen_first)),
        "first_run_duplicates": len(seen_first) - len(set(seen_first)),
        "resync_messages": len(closed_texts), "resync_lost": len(closed_texts - set(again.texts)),
        "resync_duplicates": sum(again.texts.count(t) > 1 for t in closed_texts),
        "resync_seconds": round(catch_up, 2), "load_average": [round(x, 2) for x in load],
    }
    print(f"Matrix source, {args.rooms} open rooms, {len(accepted)} customer messages (load average {load[0]:.2f})")
    print(f"  accepted -> poll():     p50 {figures['latency_p50_s']:.3f} s   p95 {figures['latency_p95_s']:.3f} s   "
          f"max {figures['latency_max_s']:.3f} s   (target p95 <= 1 s)")
    print(f"  bare /sync client:      p50 {figures['bare_sync_p50_s']:.3f} s   p95 {figures['bare_sync_p95_s']:.3f} s   (same run)")
    print(f"  poll() longest:         {figures['poll_max_ms']:.2f} ms")
    print(f"  reconnect after server back: {figures['reconnect_s']} s, max {figures['reconnect_max_s']} s (target <= 5 s)")
    print(f"  first run: {figures['first_run_lost']} lost, {figures['first_run_duplicates']} duplicated "
          f"(incl. messages written right after each restart)")
    print(f"  resync after the app was closed: {figures['resync_messages']} messages, {figures['resync_lost']} lost, "
          f"{figures['resync_duplicates']} duplicated, caught up in {figures['resync_seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    ok = (figures["latency_p95_s"] <= 1.0 and figures["reconnect_max_s"] <= 5.0 and not figures["first_run_lost"]
          and not figures["resync_lost"] and not figures["resync_duplicates"] and not figures["first_run_duplicates"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
