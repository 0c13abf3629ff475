"""Crash-safe small writes, and the build lock.

``write_atomic`` writes a file next to its target and renames it over the target (one atomic step
on POSIX), fsyncing the file and its directory, so a reader sees the old content or the new one,
never half of it. The live-generation pointer (``index.storage.generations``) is written this way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildInProgress

LOCK = ".lock"


def fsync_dir(directory: Path) -> None:
    """Make renames inside ``directory`` durable (best effort where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Only one build per index directory at a time. Keyed on the resolved directory (a symlink and
    its target share one lock); the lock file lives inside the index directory."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildInProgress(root) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
