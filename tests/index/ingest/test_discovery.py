"""Which files of a docs folder are read: ignore rules, symlinks, secrets, hidden files, bad names."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from index.ingest import discovery
from index.ingest.discovery import Policy, discover, is_secret_name
from index.ingest.loaders import load_folder
from index.settings import Settings

TOKEN = "CITEBOT_DISCORD_TOKEN=MTIzNDU2.secret-token-value"


def write(path: Path, content: str | bytes = "Some prose.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def wanted(name: str) -> bool:
    return name.endswith((".txt", ".md"))


def sources(root: Path, policy: Policy | None = None) -> list[str]:
    return [f.source for f in discover(root, wanted, policy).files]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """proj/.env beside proj/docs/, as in a real repository."""
    proj = tmp_path / "proj"
    write(proj / ".env", TOKEN + "\n")
    write(proj / "README.md", "# Proj\n\nThe project's readme.\n")
    write(proj / "docs" / "index.md", "# Docs\n\nThe docs.\n")
    return proj


# --- symbolic links ---------------------------------------------------------------------------


def test_a_link_to_a_secret_outside_the_docs_folder_is_skipped_with_a_warning(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The reproduction of issue 14: `ln -s ../.env docs/notes.txt` must not index the token."""
    os.symlink("../.env", project / "docs" / "notes.txt")
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        result = load_folder(project / "docs")
    assert [d.source for d in result.documents] == ["index.md"]
    assert all(TOKEN not in d.text for d in result.documents)
    assert [(s.path, s.reason) for s in result.skipped] == [("notes.txt", discovery.OUTSIDE)]
    assert result.counts[discovery.OUTSIDE] == 1
    assert "notes.txt" in caplog.text and "CITEBOT_ALLOW_SYMLINKS_OUTSIDE" in caplog.text

    # even when links out of the folder are allowed, a link to a secret file is refused
    allowed = load_folder(project / "docs", Settings(allow_symlinks_outside=True))
    assert [d.source for d in allowed.documents] == ["index.md"]
    assert [(s.path, s.reason) for s in allowed.skipped] == [("notes.txt", discovery.SECRET)]


def test_links_outside_are_followed_only_when_allowed(project: Path) -> None:
    os.symlink("../README.md", project / "docs" / "readme.md")
    os.symlink(project, project / "docs" / "whole-project")  # a folder outside (an ancestor)
    assert sources(project / "docs") == ["index.md"]
    assert sources(project / "docs", Policy(allow_symlinks_outside=True)) == ["index.md", "readme.md"]


def test_an_allowed_link_into_a_hidden_folder_outside_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".ssh" / "config.txt", "Host secret")
    write(tmp_path / "docs" / "a.md", "A.")
    os.symlink(tmp_path / "home" / ".ssh" / "config.txt", tmp_path / "docs" / "ssh.txt")
    assert sources(tmp_path / "docs", Policy(allow_symlinks_outside=True)) == ["a.md"]


def test_an_allowed_folder_link_outside_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path / "shared" / "guide.md", "Shared guide.")
    write(tmp_path / "docs" / "a.md", "A.")
    os.symlink(tmp_path / "shared", tmp_path / "docs" / "shared")
    os.symlink(tmp_path / "shared", tmp_path / "docs" / "again")
    os.symlink(tmp_path / "docs", tmp_path / "shared" / "back")  # a loop back into the docs folder
    assert sources(tmp_path / "docs", Policy(allow_symlinks_outside=True)) == ["a.md", "again/guide.md"]


def test_links_inside_the_docs_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs / "guide.md", "Guide.")
    write(docs / "v2" / "api.md", "Api.")
    write(docs / ".private.md", "Private notes.")
    write(docs / "drafts" / "wip.md", "Work in progress.")
    write(docs / ".gitignore", "drafts/\n")
    os.symlink("guide.md", docs / "latest.md")  # a file: indexed under its own name as well
    os.symlink("v2", docs / "current")  # a folder inside: walked already, not followed
    os.symlink(".private.md", docs / "public.md")  # a hidden file, through a link
    os.symlink("drafts/wip.md", docs / "wip.md")  # an ignored file, through a link
    os.symlink("missing.md", docs / "broken.md")
    os.symlink("loop.md", docs / "loop.md")
    found = discover(docs, wanted)
    assert [f.source for f in found.files] == ["guide.md", "latest.md", "v2/api.md"]
    assert {s.path: s.reason for s in found.skipped} == {
        "broken.md": discovery.BROKEN_LINK,
        "loop.md": discovery.BROKEN_LINK,
    }
    assert found.counts[discovery.HIDDEN] == 2  # .private.md and public.md (not the .gitignore)
    assert found.counts["ignored by .gitignore"] == 2  # drafts/ and wip.md


# --- secrets and hidden files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [".env", ".env.production", "prod.env", "server.pem", "tls.key", "cert.p12", "cert.PFX", "id_rsa",
     "id_ed25519.pub", ".netrc", ".npmrc", ".pypirc", "credentials", "credentials.json",
     "aws_credentials.txt", "secrets.yaml", "client_secret_123.json", ".git-credentials"],
)
def test_key_and_credential_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["credentials.md", "secrets.rst", "keys.md", "environment.md", "notes.txt"])
def test_docs_pages_about_secrets_are_not_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_files_are_never_read_even_when_an_ignore_file_re_includes_them(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", "Fine.")
    write(tmp_path / "credentials.txt", "aws_secret_access_key = abc")
    write(tmp_path / "sub" / "secrets.txt", "password: hunter2")
    write(tmp_path / ".citebotignore", "!credentials.txt\n!.env\n")
    write(tmp_path / ".env", TOKEN)
    found = discover(tmp_path, wanted)
    assert [f.source for f in found.files] == ["ok.md"]
    assert {s.path for s in found.skipped} == {"credentials.txt", "sub/secrets.txt", ".env"}
    assert found.counts[discovery.SECRET] == 3


def test_dotfiles_and_dot_folders_are_left_out_silently(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "A.")
    write(tmp_path / ".notes.md", "Hidden.")
    write(tmp_path / ".github" / "CONTRIBUTING.md", "Hidden folder.")
    found = discover(tmp_path, wanted)
    assert [f.source for f in found.files] == ["a.md"]
    assert found.skipped == []
    assert found.counts[discovery.HIDDEN] == 2


# --- ignore rules -----------------------------------------------------------------------------


def test_gitignore_nested_gitignore_and_negation(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "*.log.md\nbuild/\ngenerated/*\n!generated/keep.md\n")
    write(tmp_path / "a.md")
    write(tmp_path / "debug.log.md")
    write(tmp_path / "build" / "out.md")
    write(tmp_path / "generated" / "x.md")
    write(tmp_path / "generated" / "keep.md")
    write(tmp_path / "sub" / ".gitignore", "/local.md\n!debug.log.md\n")
    write(tmp_path / "sub" / "local.md")
    write(tmp_path / "sub" / "debug.log.md")  # re-included by the deeper file
    write(tmp_path / "sub" / "deeper" / "local.md")  # "/local.md" is anchored to sub/
    found = discover(tmp_path, wanted)
    assert [f.source for f in found.files] == [
        "a.md", "generated/keep.md", "sub/debug.log.md", "sub/deeper/local.md",
    ]
    assert found.counts["ignored by .gitignore"] == 4
    assert sources(tmp_path, Policy(respect_gitignore=False)) == [
        "a.md", "build/out.md", "debug.log.md", "generated/keep.md", "generated/x.md",
        "sub/debug.log.md", "sub/deeper/local.md", "sub/local.md",
    ]


def test_citebotignore_beats_gitignore_and_the_exclude_setting_beats_both(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "api/\n")
    write(tmp_path / ".citebotignore", "!api/\nchangelog/\n")
    write(tmp_path / "api" / "client.md")
    write(tmp_path / "changelog" / "v1.md")
    write(tmp_path / "guide.md")
    write(tmp_path / "drafts" / "wip.md")
    write(tmp_path / "sub" / ".citebotignore", "*.txt\n")
    write(tmp_path / "sub" / "a.txt")
    write(tmp_path / "sub" / "b.md")
    found = discover(tmp_path, wanted, Policy(exclude=("drafts/", "api/client.md")))
    assert [f.source for f in found.files] == ["guide.md", "sub/b.md"]
    assert found.counts == {"excluded by CITEBOT_EXCLUDE": 2, "ignored by .citebotignore": 2}


def test_the_exclude_setting_parses_a_comma_list_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_EXCLUDE", "changelog/*, drafts/ ,")
    assert Settings(_env_file=None).exclude == ["changelog/*", "drafts/"]
    monkeypatch.setenv("CITEBOT_EXCLUDE", '["a,b.md", "c/"]')
    assert Settings(_env_file=None).exclude == ["a,b.md", "c/"]


def test_gitignore_files_of_the_repository_above_the_docs_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "info").mkdir(parents=True)
    write(repo / ".git" / "info" / "exclude", "scratch.md\n")
    write(repo / ".gitignore", "*.secret.md\ndocs/internal/\n/docs/top-only.md\n")
    write(repo / "site" / ".gitignore", "wip/\n")
    docs = repo / "site" / "docs"
    for name in ("a.md", "x.secret.md", "internal/b.md", "scratch.md", "wip/c.md", "top-only.md"):
        write(docs / name)
    write(repo / "docs" / "internal" / "b.md")
    assert sources(docs) == ["a.md", "internal/b.md", "top-only.md"]
    assert sources(repo / "docs") == []  # docs/internal/ is ignored from the root
    assert sources(docs, Policy(respect_gitignore=False)) == sorted(
        ["a.md", "x.secret.md", "internal/b.md", "scratch.md", "wip/c.md", "top-only.md"]
    )


def test_a_docs_folder_that_git_ignores_is_still_read(tmp_path: Path) -> None:
    """`citebot index build --docs docs/_build/html`: the user asked for a git-ignored folder."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / ".gitignore", "_build/\n*.txt\n")
    write(repo / "docs" / "_build" / "html" / "index.md")
    write(repo / "docs" / "_build" / "html" / "notes.txt")
    assert sources(repo / "docs" / "_build" / "html") == ["index.md", "notes.txt"]


def test_bad_patterns_and_strange_ignore_files_do_not_stop_the_walk(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / ".gitignore", b"\xff\xfe*.md\n!\nb.md\n")  # undecodable bytes, a bad pattern
    write(tmp_path / "a.md")
    write(tmp_path / "b.md")
    os.mkfifo(tmp_path / ".citebotignore")  # must not block the walk
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        assert sources(tmp_path) == ["a.md"]


# --- names and special files ------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14 item 4: `printf x > "$(printf 'docs/bad\\xff.txt')"` crashed the build after embedding."""
    write(tmp_path / "good.txt", "Good prose.")
    bad = os.fsencode(tmp_path) + b"/bad\xff.txt"
    with open(bad, "wb") as f:
        f.write(b"Prose in a badly named file.")
    os.mkdir(os.fsencode(tmp_path) + b"/dir\xfe")
    write(tmp_path / "line\nbreak.txt", "A name with a newline.")
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["good.txt"]
    assert {s.path for s in result.skipped} == {"bad\\xff.txt", "dir\\xfe", "line\\nbreak.txt"}
    assert result.counts[discovery.BAD_NAME] == 3
    for s in result.skipped:
        s.path.encode("utf-8")  # storable and printable
    assert "bad\\xff.txt" in caplog.text


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A.")
    os.mkfifo(tmp_path / "pipe.txt")
    found = discover(tmp_path, wanted)
    assert [f.source for f in found.files] == ["a.txt"]
    assert [(s.path, s.reason) for s in found.skipped] == [("pipe.txt", discovery.SPECIAL)]


def test_unsupported_files_are_counted_not_warned(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A.")
    write(tmp_path / "logo.png", b"\x89PNG")
    found = discover(tmp_path, wanted)
    assert found.skipped == [] and found.counts == {discovery.UNSUPPORTED: 1}
