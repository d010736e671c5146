"""A real PostgreSQL server for the team-store tests: Debian's `postgresql` package, a throwaway cluster.

    cluster = PgCluster.start()          # initdb in a temporary folder, started on a free loopback port
    cluster.url("ann", "secret")         # postgresql://ann@127.0.0.1:PORT/copilot (password apart)
    cluster.admin()                      # a psycopg connection as the superuser
    cluster.stop()

PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to a dedicated
unprivileged user (created once, `copilot-pg`) and every server command runs as that user through
setpriv. TCP connections need a password (scram-sha-256), so wrong passwords are really refused;
the server also speaks TLS with a self-signed certificate, so `sslmode` can be tested both ways.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVICE_USER = "copilot-pg"
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "super-secret"
DATABASE = "copilot"


def find_bin() -> Path | None:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing() -> str:
    """Why no cluster can be started here ("" when one can)."""
    if find_bin() is None:
        return "PostgreSQL is not installed (Debian package `postgresql`; scripts/test.sh installs it)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e .)"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _service_user() -> pwd.struct_passwd | None:
    """None when not root (the cluster runs as ourselves); else the unprivileged owner, made if needed."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SERVICE_USER)


class PgCluster:
    def __init__(self, root: Path, bin_dir: Path, port: int, user: pwd.struct_passwd | None, options: str = ""):
        self.root, self.bin, self.port, self.user = root, bin_dir, port, user
        self.options = options  # more server settings, e.g. "-c shared_buffers=1GB" (the bench)
        self.data = root / "data"
        self.host = "127.0.0.1"

    # ---- running commands as the cluster's owner ------------------------------------------
    def _as_owner(self, args: list[str]) -> list[str]:
        if self.user is None:
            return args
        return ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}", "--clear-groups", "--", *args]

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(self._as_owner([str(self.bin / args[0]), *args[1:]]), capture_output=True,
                                text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr or result.stdout}")

    @classmethod
    def start(cls, options: str = "", keep: Path | None = None) -> PgCluster:
        """`keep`: a folder for the cluster that outlives this run (the bench's generated data); a
        cluster already there is started again instead of made anew."""
        bin_dir = find_bin()
        if bin_dir is None:
            raise RuntimeError(missing())
        user = _service_user()
        if keep is not None and (keep / "data" / "PG_VERSION").exists():
            cluster = cls(keep, bin_dir, int((keep / "port").read_text()), user, options)
            cluster.resume()
            return cluster
        root = Path(tempfile.mkdtemp(prefix="copilot-pg-")) if keep is None else keep
        root.mkdir(parents=True, exist_ok=True)
        cluster = cls(root, bin_dir, free_port(), user, options)
        (root / "port").write_text(str(cluster.port))
        (root / "pw").write_text(SUPERUSER_PASSWORD)
        cluster._certificate()
        if user is not None:
            for path in [root, *root.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)
        cluster._run("initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--pwfile", str(root / "pw"),
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
        cluster.resume()
        with cluster.admin("postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        return cluster

    def _certificate(self) -> None:
        """A self-signed certificate, so the server accepts TLS (sslmode=require) as a real one would."""
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-keyout", str(self.root / "server.key"),
                        "-out", str(self.root / "server.crt")], check=True, capture_output=True)
        os.chmod(self.root / "server.key", 0o600)

    def resume(self) -> None:
        """Start the server (again, after pause()), on the same port."""
        root = self.root
        options = (f"-p {self.port} -k {root} -c listen_addresses={self.host} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c ssl=on -c ssl_cert_file={root}/server.crt "
                   f"-c ssl_key_file={root}/server.key -c max_connections=50 {self.options}")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(root / "server.log"),
                  "-o", options, timeout=90)

    def pause(self) -> None:
        """Stop the server, keeping its data: the store is away until resume()."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", timeout=60)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    # ---- connecting --------------------------------------------------------------------------
    def url(self, user: str = SUPERUSER, password: str | None = None, database: str = DATABASE, **params) -> str:
        """A libpq URL; the password only when given (the app keeps it in the keyring instead)."""
        from urllib.parse import quote, urlencode

        auth = quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "")
        query = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}{query}"

    def admin(self, database: str = DATABASE):
        import psycopg

        return psycopg.connect(self.url(SUPERUSER, SUPERUSER_PASSWORD, database), autocommit=True, connect_timeout=10)
