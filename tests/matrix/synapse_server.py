"""A real Synapse homeserver (matrix-synapse from PyPI, SQLite) on a free loopback port.

Started as a child process from its own folder; `kill()` stops it hard (SIGKILL, as a crash) and
`start()` brings it back on the same port with the same database, so tests can restart it mid-shift.
Users are registered through the shared-secret admin registration API, as an operator would.
Rate limits are raised (the tests send quickly) except where a test lowers them for one user.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from copilot.sources.matrix.api import MatrixApi

CONFIG = """\
server_name: "localhost"
public_baseurl: "http://127.0.0.1:{port}/"
pid_file: "{folder}/homeserver.pid"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{folder}/homeserver.db"
log_config: "{folder}/log.yaml"
media_store_path: "{folder}/media"
registration_shared_secret: "{secret}"
macaroon_secret_key: "{secret}-macaroon"
form_secret: "{secret}-form"
signing_key_path: "{folder}/signing.key"
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
enable_metrics: false
bcrypt_rounds: 4
presence:
  enabled: false
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
  remote: {{per_second: 1000, burst_count: 1000}}
rc_invites:
  per_room: {{per_second: 1000, burst_count: 1000}}
  per_user: {{per_second: 1000, burst_count: 1000}}
  per_issuer: {{per_second: 1000, burst_count: 1000}}
"""

LOG_CONFIG = """\
version: 1
formatters:
  plain: {format: "%(asctime)s %(name)s %(levelname)s %(message)s"}
handlers:
  file: {class: logging.FileHandler, filename: "FOLDER/homeserver.log", formatter: plain}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synapse_available() -> str:
    """"" when matrix-synapse can run here, else why not."""
    try:
        import synapse  # noqa: F401
    except ImportError:
        return "matrix-synapse is not installed (pip install -e '.[test]')"
    return ""


class SynapseServer:
    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "homeserver.yaml").write_text(CONFIG.format(port=self.port, folder=folder, secret=self.secret))
        (folder / "log.yaml").write_text(LOG_CONFIG.replace("FOLDER", str(folder)))
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "-c", str(folder / "homeserver.yaml"),
                        "--generate-keys"], check=True, capture_output=True, timeout=120)
        self.admin_token = ""

    def start(self, timeout: float = 90.0) -> "SynapseServer":
        out = open(self.folder / "stdout.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.folder / "homeserver.yaml")],
            stdout=out, stderr=subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"synapse exited ({self.process.returncode}); see {self.folder}/stdout.log")
            try:
                if httpx.get(f"{self.url}/_matrix/client/versions", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"synapse did not start in {timeout:.0f} s; see {self.folder}")

    def kill(self) -> None:
        """Stop at once, as a crash would (SIGKILL); the database stays as it was."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def register(self, user: str, password: str, admin: bool = False, displayname: str = "") -> dict:
        """Register with the shared secret; returns {user_id, access_token, device_id, ...}.
        Failures are ServerProblem, as from the app's own client (M_USER_IN_USE, unreachable, ...)."""
        api = MatrixApi(self.url, timeout=30)
        try:
            nonce = api.request("GET", "/_synapse/admin/v1/register", "registering", auth=False)["nonce"]
            message = b"\x00".join([nonce.encode(), user.encode(), password.encode(), b"admin" if admin else b"notadmin"])
            mac = hmac.new(self.secret.encode(), message, hashlib.sha1).hexdigest()
            body = {"nonce": nonce, "username": user, "password": password, "admin": admin, "mac": mac}
            if displayname:
                body["displayname"] = displayname
            return api.request("POST", "/_synapse/admin/v1/register", "registering", body=body, auth=False)
        finally:
            api.close()

    def as_admin(self, method: str, path: str, body: dict | None = None) -> dict:
        api = MatrixApi(self.url, self.admin(), timeout=60)
        try:
            return api.request(method, path, "admin", body=body)
        finally:
            api.close()

    def admin(self) -> str:
        if not self.admin_token:
            self.admin_token = self.register(f"admin-{secrets.token_hex(3)}", "admin-password", admin=True)["access_token"]
        return self.admin_token
