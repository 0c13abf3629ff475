"""What a build may replace: a citebot index or an empty/missing folder, never anything else."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from index.errors import BuildInProgress, NotAnIndex, UnsafeIndexPath
from index.ingest.builder import build_index
from index.query.engine import Engine
from index.settings import Settings
from index.storage.atomic import build_lock
from index.storage.guard import check_build_target
from tests.conftest import FakeEmbedder

DOCS = {"a.txt": "The Moon orbits the Earth every 27 days.", "b.txt": "Mars has two small moons."}


def project(tmp_path: Path) -> Path:
    """A project folder as users have them: docs, code, a .git and a .env."""
    proj = tmp_path / "proj"
    (proj / "docs").mkdir(parents=True)
    for name, text in DOCS.items():
        (proj / "docs" / name).write_text(text)
    (proj / ".git").mkdir()
    (proj / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (proj / ".env").write_text("CITEBOT_DISCORD_TOKEN=secret\n")
    (proj / "main.py").write_text("print('hi')\n")
    return proj


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["docs", "proj", "docs/sub", "proj/.git", "home"])
def test_a_build_touches_nothing_outside_an_index(tmp_path: Path, where: str, fake_embedder: FakeEmbedder) -> None:
    proj = project(tmp_path)
    (proj / "docs" / "sub").mkdir()
    (proj / "docs" / "sub" / "c.txt").write_text("Venus is hot.")
    target = {"docs": proj / "docs", "proj": proj, "docs/sub": proj / "docs" / "sub", "proj/.git": proj / ".git",
              "home": tmp_path}[where]
    before = snapshot(tmp_path)
    with pytest.raises((NotAnIndex, UnsafeIndexPath)) as info:
        build_index(Settings(docs_dir=proj / "docs", index_dir=target), embedder=fake_embedder)
    assert "refusing to build into" in str(info.value) and "\n" not in str(info.value)
    assert snapshot(tmp_path) == before  # not one byte written or deleted
    assert fake_embedder.encoded == 0


def test_a_non_index_folder_is_refused_even_for_given_documents(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    from index.models.documents import Document

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("buy milk")
    with pytest.raises(NotAnIndex, match=r"not a citebot index \(it holds todo.md\)"):
        build_index(Settings(index_dir=tmp_path / "notes"), documents=[Document("a", "text.")], embedder=fake_embedder)
    assert (tmp_path / "notes" / "todo.md").read_text() == "buy milk"
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotAnIndex, match="is a file"):
        check_build_target(tmp_path / "file")


def test_paths_that_overlap_the_documents_or_the_working_directory(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    with pytest.raises(UnsafeIndexPath, match="is the documents folder"):
        check_build_target(docs, docs, cwd=Path("/"))
    with pytest.raises(UnsafeIndexPath, match="inside the documents folder"):
        check_build_target(docs / "index", docs, cwd=Path("/"))  # missing, but inside docs
    with pytest.raises(UnsafeIndexPath, match="documents folder .* is inside it"):
        check_build_target(tmp_path, docs, cwd=Path("/"))
    (tmp_path / "work").mkdir()
    with pytest.raises(UnsafeIndexPath, match="current directory"):
        check_build_target(tmp_path / "work", None, cwd=tmp_path / "work")
    with pytest.raises(UnsafeIndexPath, match="current directory"):
        check_build_target(tmp_path, None, cwd=tmp_path / "work")
    # fine: a missing or empty folder beside the docs
    assert check_build_target(tmp_path / "index", docs, cwd=tmp_path) == (tmp_path / "index").resolve()
    (tmp_path / "empty").mkdir()
    assert check_build_target(tmp_path / "empty", docs, cwd=tmp_path) == (tmp_path / "empty").resolve()


def test_the_working_directory_itself_is_refused(tmp_path: Path, fake_embedder: FakeEmbedder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(DOCS["a.txt"])
    work = tmp_path / "idx"
    work.mkdir()
    monkeypatch.chdir(work)  # even an empty folder: it is where the user stands
    with pytest.raises(UnsafeIndexPath, match="current directory"):
        build_index(Settings(docs_dir=tmp_path / "docs", index_dir=Path(".")), embedder=fake_embedder)
    assert list(work.iterdir()) == []


def test_a_symlinked_index_is_resolved_and_shares_its_lock(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    target = tmp_path / "real-index"
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    settings = Settings(docs_dir=docs, index_dir=link)
    build_index(settings, embedder=fake_embedder)
    build_index(settings, embedder=fake_embedder)  # a rebuild through the link
    assert link.is_symlink() and (target / "current.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "link", "real-index"]  # nothing left beside
    assert Engine.open(Settings(index_dir=target), embedder=fake_embedder).ask("Moon orbits").passages
    assert Engine.open(settings, embedder=fake_embedder).ask("Moon orbits").passages
    # the link and its target are one index: one build at a time
    with build_lock(target), pytest.raises(BuildInProgress):
        build_index(settings, embedder=fake_embedder)
    with build_lock(link), pytest.raises(BuildInProgress):
        build_index(Settings(docs_dir=docs, index_dir=target), embedder=fake_embedder)
    # and a link into the documents folder is seen for what it is
    inside = tmp_path / "sneaky"
    inside.symlink_to(docs, target_is_directory=True)
    with pytest.raises(UnsafeIndexPath, match="documents folder"):
        build_index(Settings(docs_dir=docs, index_dir=inside), embedder=fake_embedder)
    assert sorted(p.name for p in docs.iterdir()) == sorted(DOCS)


def test_the_lock_is_held_by_the_resolved_directory(tmp_path: Path) -> None:
    target = tmp_path / "t"
    link = tmp_path / "l"
    target.mkdir()
    link.symlink_to(target)
    with build_lock(link), open(target / ".lock") as fh, pytest.raises(BlockingIOError):
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert not os.path.lexists(tmp_path / ".l.lock") and not os.path.lexists(tmp_path / ".t.lock")
