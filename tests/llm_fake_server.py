"""A scripted OpenAI-compatible server on a free loopback port, for unit tests and benches.

Each POST to /v1/chat/completions takes the next behaviour from `script` (or `default`); a
behaviour may be a function of the request body, so a test can answer `response_format` one way
and tools another. It records every request body, so tests can check what left the machine.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(content: str = "", tool_args: dict | None = None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if tool_args is not None:
        message = {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": "IssueDiagnosis", "arguments": json.dumps(tool_args)}}]}
    return {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk(text: str, finish: str | None = None) -> bytes:
    body = {"id": "cmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
            "choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: deque = deque()
        self.default = ("json", "Hello")
        self.requests: list[dict] = []
        self.headers: list[dict] = []  # the request headers, e.g. to see the API key arrive
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake._send(self, 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                behaviour = fake.script.popleft() if fake.script else fake.default
                if callable(behaviour):
                    behaviour = behaviour(body)
                fake._act(self, body, behaviour)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # clients hanging up is part of the tests
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def _send(handler, status: int, payload, headers: dict | None = None, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _act(self, handler, body: dict, behaviour: tuple) -> None:
        kind, *args = behaviour
        if kind == "json" and body.get("stream"):
            kind, args = "stream", [[args[0]], 0.0]
        if kind == "json":
            self._send(handler, 200, completion(args[0]))
        elif kind == "tool":
            self._send(handler, 200, completion(tool_args=args[0]))
        elif kind == "status":
            code, headers = args[0], (args[1] if len(args) > 1 else {})
            self._send(handler, code, {"error": {"message": f"fake error {code}", "type": "fake"}}, headers)
        elif kind == "garbage":
            self._send(handler, 200, None, raw=b"<html><body>502 Bad Gateway... not JSON {{{")
        elif kind == "hang":
            self.stop.wait(args[0] if args else 60)
        elif kind in ("stream", "die", "cut"):  # cut: the body ends cleanly but without a finish reason
            tokens, delay = args[0], (args[1] if len(args) > 1 else 0.0)
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.send_header("Transfer-Encoding", "chunked")  # as real servers do
            handler.end_headers()

            def send(data: bytes) -> None:
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                handler.wfile.flush()

            for i, token in enumerate(tokens):
                if self.stop.is_set():
                    return
                if kind == "die" and i == len(tokens) // 2:
                    handler.close_connection = True  # gone without the final chunk: a crashed server
                    return
                send(chunk(token))
                if delay:
                    time.sleep(delay)
            if kind != "cut":
                send(chunk("", "stop") + b"data: [DONE]\n\n")
            handler.wfile.write(b"0\r\n\r\n")
        else:
            raise ValueError(kind)


if __name__ == "__main__":  # a separate process for benches: `python -m tests.llm_fake_server WORDS DELAY`
    import sys

    words = [f"word{i} " for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 120)]
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.001
    fake = FakeOpenAI()
    diagnosis = json.dumps({"category": "late_delivery", "confidence": 0.9, "evidence": ["parcel"]})
    fake.default = lambda body: ("stream", words, delay) if body.get("stream") else ("json", diagnosis)
    print(fake.base_url, flush=True)
    fake.stop.wait()
