"""The feedback store's HMAC key: created once, whole, even when replicas start at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.feedback.keys import FeedbackKeyDamaged, key_path, load_or_create_key


def test_replicas_starting_together_share_one_whole_key(tmp_path: Path) -> None:
    """Two replicas once raced: one created the key file, the other failed with FileExistsError."""
    db = tmp_path / "shared" / "feedback.sqlite3"
    barrier = threading.Barrier(8)
    keys: list[bytes] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            keys.append(load_or_create_key(db))
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(keys)) == 1 and len(keys[0]) >= 16
    assert load_or_create_key(db) == keys[0]
    assert sorted(p.name for p in db.parent.iterdir()) == [key_path(db).name]  # no temporary file left
    assert (key_path(db).stat().st_mode & 0o777) == 0o600


def test_a_replica_that_loses_the_race_reads_the_winners_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other replica creates the key between this one's look and its write."""
    import bot.feedback.keys as keys

    db = tmp_path / "feedback.sqlite3"
    winner = bytes(range(32))
    real = keys.secrets.token_bytes

    def other_replica_first(n: int) -> bytes:
        key_path(db).write_text(winner.hex() + "\n", encoding="ascii")
        return real(n)

    monkeypatch.setattr(keys.secrets, "token_bytes", other_replica_first)
    assert load_or_create_key(db) == winner


def test_a_damaged_key_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "feedback.sqlite3"
    key_path(db).write_text("not hex\n", encoding="ascii")
    with pytest.raises(FeedbackKeyDamaged):
        load_or_create_key(db)
