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


@pytest.mark.model
def test_opposite_facts_in_two_documents_are_each_citable(tmp_path: Path) -> None:
    """Near-duplicate collapsing merged "should take" with "should not take", and a 150-euro fee
    with a 120-euro one: the bot cited one fact for another."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "Guidance for adults with a mild fever after the procedure.\n\n"
        "Patients recovering from the procedure should take ibuprofen twice a day for pain.\n"
    )
    (docs / "b.txt").write_text(
        "Guidance for patients with kidney disease after the procedure.\n\n"
        "Patients recovering from the procedure should not take ibuprofen twice a day for pain.\n"
    )
    (docs / "c.txt").write_text("The registration fee for the spring workshop in Lyon is 120 euros per person.\n")
    (docs / "d.txt").write_text("The registration fee for the autumn workshop in Lyon is 150 euros per person.\n")
    index = tmp_path / "index"
    built = citebot("index", "build", "--docs", str(docs), "--quiet", index=index)
    assert built.returncode == 0, built.stderr
    assert "0 duplicates collapsed" in built.stdout
    rows = [
        json.loads(line)
        for line in citebot(
            "ask", "-", "--json", index=index,
            stdin="should patients with kidney disease take ibuprofen?\n"
            "how much is the registration fee for the autumn workshop?\n",
        ).stdout.splitlines()
    ]
    quotes = [[c["quote"] for c in row["citations"]] for row in rows]
    assert any("should not take ibuprofen" in q for q in quotes[0])
    assert "150 euros" in quotes[1][0] and rows[1]["citations"][0]["source"] == "d.txt"


@pytest.mark.model
def test_utf16_is_read_and_a_late_nul_byte_is_never_quoted(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    filler = ("This line is filler text about nothing in particular at all. " * 150)[:8200]
    (docs / "nul.txt").write_bytes(
        filler.encode() + b"\n\nThe vault code is 4471\x00 and the door opens at noon.\n"
    )
    (docs / "u16.txt").write_bytes(
        "The caretaker of the lighthouse is named Ambroise Delacroix.\n".encode("utf-16")
    )
    index = tmp_path / "index"
    built = citebot("index", "build", "--docs", str(docs), "--quiet", index=index)
    assert built.returncode == 0, built.stderr
    assert "skipping nul.txt: binary file (NUL byte at offset" in built.stderr
    assert "u16.txt" not in built.stderr
    rows = [
        json.loads(line)
        for line in citebot(
            "ask", "-", "--json", index=index,
            stdin="what is the vault code?\nwhat is the name of the caretaker of the lighthouse?\n",
        ).stdout.splitlines()
    ]
    assert "\\u0000" not in json.dumps(rows) and "4471" not in json.dumps(rows)
    assert rows[1]["citations"][0]["source"] == "u16.txt"
    assert "Ambroise Delacroix" in rows[1]["citations"][0]["quote"]
