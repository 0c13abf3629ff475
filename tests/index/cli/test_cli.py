"""The command line as a user meets it: one clear line and a non-zero exit for bad input, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS


def citebot(*args: str, index: Path | None = None, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if index is not None:
        env["CITEBOT_INDEX_DIR"] = str(index)
    return subprocess.run(
        [sys.executable, "-m", "index", *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
        timeout=300,
    )


def one_line_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]


def test_help_lists_the_commands() -> None:
    proc = citebot("--help")
    assert proc.returncode == 0
    for cmd in ("ask", "index"):
        assert cmd in proc.stdout


def test_ask_without_an_index(tmp_path: Path) -> None:
    one_line_error(citebot("ask", "who praised him?", index=tmp_path / "none"), "no index")


def test_ask_an_empty_question(tmp_path: Path) -> None:
    one_line_error(citebot("ask", "  ", index=tmp_path / "none"), "empty")


def test_build_from_a_missing_folder(tmp_path: Path) -> None:
    one_line_error(citebot("index", "build", "--docs", str(tmp_path / "nope"), index=tmp_path / "i"), "not found")


def test_build_from_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    one_line_error(citebot("index", "build", "--docs", str(tmp_path / "docs"), index=tmp_path / "i"), "no readable")


@pytest.mark.model
def test_build_then_ask_plain_json_and_stdin(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "paris-fire-rescue.txt").write_bytes((SEEDS / "paris-fire-rescue.txt").read_bytes())
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    index = tmp_path / "index"
    built = citebot("index", "build", "--docs", str(docs), "--quiet", index=index)
    assert built.returncode == 0, built.stderr
    assert "1 documents" in built.stdout and "broken.pdf" in built.stderr
    summary = built.stdout.splitlines()
    assert summary[1:3] == ["  documents: 1 text", "  blocks: 3 paragraph"]  # what the folder held, after the line
    assert any(line.startswith("  not indexed: ") for line in summary)

    plain = citebot("ask", "who praised him?", index=index)
    assert plain.returncode == 0
    assert "Rémi Féraud" in plain.stdout and "paris-fire-rescue.txt:16" in plain.stdout

    as_json = json.loads(citebot("ask", "how old is the caretaker?", "--json", "--k", "2", index=index).stdout)
    assert "39" in as_json["citations"][0]["quote"] and len(as_json["passages"]) <= 2

    batch = citebot("ask", "-", "--json", index=index, stdin="who praised him?\n\nWho won the 2018 World Cup?\n")
    rows = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["who praised him?", "", "Who won the 2018 World Cup?"]
    assert [r.get("abstained") for r in rows] == [False, None, True]  # the blank line: an error row
    assert "empty" in rows[1]["error"] and batch.returncode == 1


def test_an_interrupted_build_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    """Ctrl-C during a build: one line on stderr, then typer's exit 130 (the staging directory never
    replaced the index: see test_builder's interrupted-build test)."""
    import index.ingest.builder
    from index.cli.build import build

    def interrupted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(index.ingest.builder, "build_index", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(docs=None, index=tmp_path / "idx", quiet=True)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"citebot: build interrupted; the index at {tmp_path / 'idx'} is unchanged"]


def test_build_into_the_docs_folder_or_a_project_is_refused_and_touches_nothing(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    (proj / "docs").mkdir(parents=True)
    (proj / "docs" / "guide.md").write_text("# Guide\n\nInstall it with pip.\n")
    (proj / ".env").write_text("CITEBOT_DISCORD_TOKEN=secret\n")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    for target in (proj / "docs", proj):
        one_line_error(citebot("index", "build", "--docs", str(proj / "docs"), "--index", str(target), "--quiet"),
                       "refusing to build into")
    one_line_error(citebot("index", "build", "--docs", str(proj / "docs"), "--index", ".", "--quiet", cwd=proj),
                   "current directory")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def damaged_copy(seed_index: Path, tmp_path: Path) -> Path:
    import shutil

    import numpy as np

    index = tmp_path / "index"
    shutil.copytree(seed_index, index, symlinks=True)
    gen = index / json.loads((index / "current.json").read_text())["generation"]
    vectors = np.load(gen / "unit_vectors.npy")
    vectors[3] = np.nan
    np.save(gen / "unit_vectors.npy", vectors, allow_pickle=False)
    return index


@pytest.mark.model
def test_info_and_ask_report_a_damaged_index_in_one_line(seed_index: Path, tmp_path: Path) -> None:
    healthy = citebot("index", "info", index=seed_index)
    assert healthy.returncode == 0 and json.loads(healthy.stdout)["health"] == "ok"
    index = damaged_copy(seed_index, tmp_path)
    info = citebot("index", "info", index=index)
    one_line_error(info, "is damaged")
    assert "rebuild" in json.loads(info.stdout)["health"]
    env_backend = dict(os.environ, CITEBOT_BACKEND="torch")  # the seed index was built with torch
    proc = subprocess.run([sys.executable, "-m", "index", "ask", "who praised him?"], capture_output=True, text=True,
                          env=env_backend | {"CITEBOT_INDEX_DIR": str(index)}, cwd=ROOT, timeout=300)
    one_line_error(proc, "unit_vectors.npy")
