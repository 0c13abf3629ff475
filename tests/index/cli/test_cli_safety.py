"""Issue 14 as a user meets it: what a build must never read, and inputs that must never crash it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.index.cli.test_cli import citebot

TOKEN = "MTIzNDU2Nzg5.discord-token-secret-value"


def seed_docs(base: Path) -> Path:
    docs = base / "docs"
    docs.mkdir(parents=True)
    (docs / "paris-fire-rescue.txt").write_bytes((SEEDS / "paris-fire-rescue.txt").read_bytes())
    return docs


@pytest.mark.model
def test_a_symlink_to_the_env_file_is_never_indexed_or_quoted(tmp_path: Path) -> None:
    """`ln -s ../.env docs/notes.txt`, build, ask for the token: it must not be quoted."""
    (tmp_path / ".env").write_text(f"CITEBOT_DISCORD_TOKEN={TOKEN}\n")
    docs = seed_docs(tmp_path)
    os.symlink("../.env", docs / "notes.txt")
    index = tmp_path / "index"
    built = citebot("index", "build", "--docs", str(docs), "--quiet", index=index)
    assert built.returncode == 0, built.stderr
    asked = citebot("ask", "what is the discord token?", "--json", index=index)
    assert asked.returncode == 0, asked.stderr
    assert TOKEN not in asked.stdout
    assert all(p["source"] != "notes.txt" for p in json.loads(asked.stdout)["passages"])
    assert "skipping notes.txt" in built.stderr and "outside the docs folder" in built.stderr


@pytest.mark.model
def test_a_file_name_that_is_not_utf8_does_not_crash_the_build(tmp_path: Path) -> None:
    docs = seed_docs(tmp_path)
    with open(os.fsencode(docs) + b"/bad\xff.txt", "wb") as f:
        f.write(b"x")
    index = tmp_path / "index"
    built = citebot("index", "build", "--docs", str(docs), "--quiet", index=index)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    assert "bad\\xff.txt" in built.stderr and "1 documents" in built.stdout
