"""A scripted OpenAI-compatible server on a free loopback port, for unit tests and benches.

Each POST to /v1/chat/completions takes the next behaviour from `script` (or `default`); a
behaviour may be a function of the request body, so a test can answer `response_format` one way
and tools another. It records every request body, so tests can check what left the machine.

Behaviours (tuples): ("json", text) · ("tool", args) · ("status", code[, headers[, message]]) · ("garbage",)
· ("hang", seconds) · ("stream" | "die" | "cut", tokens[, delay]) and the misbehaving ones:
("drip", seconds_between_bytes[, headers_too]) sends a valid answer one byte at a time, forever
slow (headers_too: the status line and headers drip as well) · ("endless", token[, delay]) streams
tokens that never end · ("flood", megabytes) streams that much text as fast as it can ·
("big_json", kilobytes) answers a diagnosis padded to that size with JSON-looking chatter.

Benches run it as a process: `python -m tests.llm_fake_server WORDS DELAY` (a normal streaming
server), or `python -m tests.llm_fake_server --mode drip|endless|flood|big_json [--arg X]`; it
prints its base URL on the first line and serves until killed.
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

    @staticmethod
    def _stream_head(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

    @staticmethod
    def _send_chunk(handler, data: bytes) -> None:
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        handler.wfile.flush()

    def _drip(self, handler, body: dict, gap: float, headers_too: bool) -> None:
        """A whole, valid answer, one byte every `gap` seconds: each read is quick, the answer never comes."""
        if body.get("stream"):
            payload = chunk("Hello there, ") * 50 + chunk("", "stop") + b"data: [DONE]\n\n"
            content_type = "text/event-stream"
        else:
            payload = json.dumps(completion('{"category": "late_delivery", "confidence": 0.9}')).encode()
            content_type = "application/json"
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n").encode()
        handler.close_connection = True
        data = head + payload if headers_too else payload
        if not headers_too:
            handler.wfile.write(head)
            handler.wfile.flush()
        for i in range(len(data)):
            if self.stop.wait(gap):
                return
            handler.wfile.write(data[i:i + 1])
            handler.wfile.flush()

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
            message = args[2] if len(args) > 2 else f"fake error {code}"
            self._send(handler, code, {"error": {"message": message, "type": "fake"}}, headers)
        elif kind == "garbage":
            self._send(handler, 200, None, raw=b"<html><body>502 Bad Gateway... not JSON {{{")
        elif kind == "hang":
            self.stop.wait(args[0] if args else 60)
        elif kind == "drip":
            self._drip(handler, body, args[0], bool(args[1]) if len(args) > 1 else False)
        elif kind == "endless":
            token, delay = args[0], (args[1] if len(args) > 1 else 0.0)
            self._stream_head(handler)
            while not self.stop.is_set():
                self._send_chunk(handler, chunk(token))
                if delay:
                    time.sleep(delay)
        elif kind == "flood":
            self._stream_head(handler)
            piece = chunk("flood " * 1000)  # about 6 KB of text per event
            for _ in range(int(args[0] * 1024 * 1024 / 6000) + 1):
                if self.stop.is_set():
                    return
                self._send_chunk(handler, piece)
            self._send_chunk(handler, chunk("", "stop") + b"data: [DONE]\n\n")
            handler.wfile.write(b"0\r\n\r\n")
        elif kind == "big_json":
            self._send(handler, 200, completion(big_diagnosis(args[0] * 1024)))
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


def big_diagnosis(size: int) -> str:
    """A diagnosis answer of about `size` characters: chatter full of braces, then the JSON object.

    Braces that never close are what made a naive "find the first JSON object" scan quadratic."""
    answer = json.dumps({"category": "late_delivery", "confidence": 0.9, "evidence": ["parcel"]})
    filler = "Thinking about {the customer {and {their parcel "
    return (filler * (size // len(filler) + 1))[:size] + "\n" + answer


MODES = {  # --mode NAME [--arg X]: what every request gets (a diagnosis request gets JSON unless said)
    "drip": lambda x: ("drip", x if x is not None else 2.0),
    "endless": lambda x: ("endless", "more ", x if x is not None else 0.001),
    "flood": lambda x: ("flood", x if x is not None else 5.0),
    "big_json": lambda x: ("big_json", int(x if x is not None else 100)),
}


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.llm_fake_server")
    parser.add_argument("words", nargs="?", type=int, default=120, help="words in each streamed draft")
    parser.add_argument("delay", nargs="?", type=float, default=0.001, help="seconds between words")
    parser.add_argument("--mode", choices=sorted(MODES), help="misbehave this way for every request")
    parser.add_argument("--arg", type=float, help="the mode's figure: seconds, megabytes or kilobytes")
    args = parser.parse_args(argv)
    fake = FakeOpenAI()
    diagnosis = json.dumps({"category": "late_delivery", "confidence": 0.9, "evidence": ["parcel"]})
    if args.mode:
        behaviour = MODES[args.mode](args.arg)
        fake.default = behaviour if args.mode in ("drip", "big_json") else (
            lambda body: behaviour if body.get("stream") else ("json", diagnosis))
    else:
        words = [f"word{i} " for i in range(args.words)]
        fake.default = lambda body: ("stream", words, args.delay) if body.get("stream") else ("json", diagnosis)
    print(fake.base_url, flush=True)
    fake.stop.wait()


if __name__ == "__main__":  # a separate process for benches (see the module's docstring)
    import sys

    main(sys.argv[1:])
