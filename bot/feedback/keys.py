"""Keyed hashes of Discord user ids: HMAC-SHA256 with a secret kept beside the feedback database.

An unsalted sha256 of a user id is no protection: anyone with the database can hash the ids of a
server's members and find whose a vote is. The key (32 random bytes, hex, file mode 0600) is
created on first use as ``<database>.key``; without it the stored hashes name no one. Keep it with
the database (back both up): a new key makes earlier hashes unmatchable, so ``forget --user``
could not find them any more.

What is keyed is ``sha256(user id)``, not the id itself, so rows written by earlier versions (which
stored that sha256) can be re-keyed in place without knowing the ids.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from index.errors import CitebotError

KEY_BYTES = 32


class FeedbackKeyDamaged(CitebotError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the feedback key {path} is damaged: restore it from a backup "
            "(without it, stored votes can no longer be matched to their users)"
        )


def key_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".key")


def load_or_create_key(db_path: str | Path, *, exact: bool = False) -> bytes:
    """The secret beside ``db_path`` (``exact``: in the file ``db_path`` itself), created (readable by
    the owner only) if there is none yet."""
    path = Path(db_path) if exact else key_path(db_path)
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    # written whole under a temporary name, then linked into place: a replica starting at the same
    # moment either wins the link or reads the winner's complete key, never half a file
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return _read_key(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def _read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) < 16:
        raise FeedbackKeyDamaged(path)
    return key


def legacy_hash(user_id: int | str) -> str:
    """What earlier versions stored: sha256 (hex) of the id."""
    return hashlib.sha256(str(user_id).encode()).hexdigest()


def rekey(key: bytes, legacy: str) -> str:
    return hmac.new(key, legacy.encode("ascii"), hashlib.sha256).hexdigest()


class UserHasher:
    """``hasher(user_id)`` → the keyed hash stored for that user."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the feedback key is too short")
        self._key = key

    def __call__(self, user_id: int | str) -> str:
        return rekey(self._key, legacy_hash(user_id))

    def rekey_legacy(self, legacy: str) -> str:
        return rekey(self._key, legacy)
