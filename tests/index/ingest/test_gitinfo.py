"""Permalinks from a real temporary git repository: commit, repo paths, changed files, the URL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from index.ingest.builder import build_index
from index.ingest.gitinfo import repo_info
from index.query.engine import Engine
from index.settings import Settings
from index.storage.manifest import Manifest
from tests.conftest import FakeEmbedder

REPO_URL = "https://github.com/org/repo"


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
           "HOME": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "docs" / "guide").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n\nWelcome to the project.\n\nThe caretaker is 39 years old.\n")
    (root / "docs" / "guide" / "install me.md").write_text("# Install\n\nRun pip install project.\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "docs")
    return root


def test_repo_info_and_changed_files(repo: Path) -> None:
    sha = git(repo, "rev-parse", "HEAD").strip()
    info = repo_info(repo / "docs")
    assert info is not None and info.commit == sha and info.root == repo.resolve()
    assert info.repo_path(repo / "docs" / "index.md") == "docs/index.md"
    (repo / "docs" / "index.md").write_text("# Home\n\nChanged since the commit.\n")
    (repo / "docs" / "new.md").write_text("Untracked.\n")
    info = repo_info(repo / "docs")
    assert info is not None and {"docs/index.md", "docs/new.md"} <= info.changed
    assert info.repo_path(repo / "docs" / "index.md") == ""  # its lines are not the commit's
    assert info.repo_path(repo / "docs" / "guide" / "install me.md") == "docs/guide/install me.md"


def test_no_repository_no_commit(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert repo_info(tmp_path / "plain") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert repo_info(empty) is None  # a repository without a commit


def test_citations_link_to_the_indexed_commit(repo: Path, tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    sha = git(repo, "rev-parse", "HEAD").strip()
    settings = Settings(docs_dir=repo / "docs", index_dir=tmp_path / "index", repo_url=REPO_URL)
    report = build_index(settings, embedder=fake_embedder)
    assert report.commit == sha and f"at commit {sha[:12]}" in report.summary()
    manifest = Manifest.of(settings.index_dir)
    assert manifest.commit == sha and manifest.indexed_at.endswith("+00:00")
    assert {"commit", "indexed_at"} <= set(manifest.summary())
    engine = Engine.open(settings, embedder=fake_embedder)
    assert [d.repo_path for d in engine.data.docs] == ["docs/guide/install me.md", "docs/index.md"]
    answer = engine.ask("how old is the caretaker?")
    c = next(c for c in answer.citations if "caretaker" in c.quote)
    assert c.url == f"{REPO_URL}/blob/{sha}/docs/index.md#L5"
    assert answer.to_json()["citations"][0]["url"].startswith(f"{REPO_URL}/blob/{sha}/")
    # without CITEBOT_REPO_URL: no url, and none in the JSON
    plain = Engine.open(Settings(index_dir=settings.index_dir), embedder=fake_embedder).ask("how old is the caretaker?")
    assert all(c.url is None and "url" not in c.to_json() for c in plain.citations)


def test_a_folder_outside_git_has_no_commit(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("The caretaker is 39 years old.")
    settings = Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index", repo_url=REPO_URL)
    build_index(settings, embedder=fake_embedder)
    assert Manifest.of(settings.index_dir).commit == ""
    answer = Engine.open(settings, embedder=fake_embedder).ask("how old is the caretaker?")
    assert answer.citations and all(c.url is None for c in answer.citations)
