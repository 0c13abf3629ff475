"""The throwaway server: a real PostgreSQL 18 + pgvector, unprivileged, on 127.0.0.1, always stopped."""

from __future__ import annotations

import os
import pwd
import socket
from pathlib import Path

import psycopg
import pytest

from index.storage.postgres.server import (
    LocalPostgres,
    _readable_bin_dir,
    start_local_postgres,
    wheel_bin_dir,
)


def _owner(pid: int) -> str:
    return pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name


def test_session_server_is_real_and_local(pg_server: LocalPostgres) -> None:
    with psycopg.connect(pg_server.dsn()) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()[0]
        addr, port = conn.execute("SELECT host(inet_server_addr()), inet_server_port()").fetchone()
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        ext = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
    assert int(version) >= 180000
    assert (addr, port) == ("127.0.0.1", pg_server.port)
    assert tuple(int(x) for x in ext.split(".")[:2]) >= (0, 8)  # iterative index scans
    assert str(pg_server.socket_dir).startswith("/tmp/") and (pg_server.socket_dir / f".s.PGSQL.{pg_server.port}").exists()
    assert _owner(pg_server.pid()) != "root"


def test_stop_ends_the_server_and_removes_its_files() -> None:
    server = start_local_postgres()
    pid, port, root = server.pid(), server.port, server.root
    assert pid and Path(f"/proc/{pid}").exists()
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    server.stop()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert not root.exists() and not server.socket_dir.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    server.stop()  # twice is fine


@pytest.mark.skipif(os.geteuid() != 0, reason="only root needs another user to run the server")
def test_binaries_copied_where_the_server_user_cannot_enter(tmp_path: Path) -> None:
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    (hidden / "pg").symlink_to(wheel_bin_dir().parent)  # reachable only through a root-only directory
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found = _readable_bin_dir(hidden / "pg" / "bin", "nobody", scratch)
    assert found == scratch / "pginstall" / "bin"
    assert (found / "postgres").exists() and (found.parent / "lib" / "postgresql" / "vector.so").exists()
