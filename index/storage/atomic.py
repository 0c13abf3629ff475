"""Crash-safe replacement of the index directory, and the build lock.

A build writes a complete new index into a temporary sibling directory, then swaps
it in: with Linux's ``renameat2(RENAME_EXCHANGE)`` the swap is one atomic step;
elsewhere two renames, and a reader that finds the index missing in between falls
back to the previous one (``resolve``). A crash, kill or Ctrl-C before the swap
leaves the previous index untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildInProgress

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def staging_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.building-{os.getpid()}"


def previous_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.previous"


def swap_in(new: Path, target: Path) -> None:
    """Make ``new`` the directory at ``target``; the old one is deleted afterwards."""
    old = previous_dir(target)
    if not target.exists() and old.exists():  # an earlier swap was cut short: restore first
        os.rename(old, target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        if _exchange(new, target):
            shutil.rmtree(new)  # ``new`` now holds the old index
            return
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def resolve(target: Path) -> Path:
    """The directory to read: ``target``, or the previous index if a swap was cut short."""
    if not target.exists() and previous_dir(target).exists():
        return previous_dir(target)
    return target


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Only one build per index directory at a time; stale staging directories are cleared."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildInProgress(target) from exc
        for stale in target.parent.glob(f".{target.name}.building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
