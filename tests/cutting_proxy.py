"""A TCP proxy that cuts the connection after so many bytes: a network that fails mid-batch.

    proxy = CuttingProxy("127.0.0.1", server_port, cut_after=40_000)   # bytes from client to server
    ... connect to 127.0.0.1:proxy.port ...
    proxy.cuts  # connections cut so far

Each connection is forwarded both ways; once the client has sent `cut_after` bytes through it,
both sides are reset (SO_LINGER 0), as when a cable is pulled or a NAT drops the flow.
"""
from __future__ import annotations

import socket
import struct
import threading


class CuttingProxy:
    def __init__(self, host: str, port: int, cut_after: int):
        self.target = (host, port)
        self.cut_after = cut_after
        self.cuts = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            state = {"sent": 0, "closed": False}
            threading.Thread(target=self._pump, args=(client, server, state, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, state, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, state: dict, upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                if upstream:
                    state["sent"] += len(data)
                    if state["sent"] > self.cut_after:
                        self._reset(source, sink, state)
                        return
                sink.sendall(data)
        except OSError:
            pass
        self._reset(source, sink, state)

    def _reset(self, a: socket.socket, b: socket.socket, state: dict) -> None:
        if state["closed"]:
            return
        state["closed"] = True
        if state["sent"] > self.cut_after:
            self.cuts += 1
        for s in (a, b):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self._listener.close()
