"""Where the documents live in git, for line-exact permalinks.

When the docs folder is inside a git work tree, the build records the commit checked out (``HEAD``)
and each document's path from the repository root (``Document.repo_path``). With
``CITEBOT_REPO_URL`` set, a citation then links to ``<repo>/blob/<sha>/<path>#L12-L18``: the exact
lines at the exact commit, which stay right when the files change later. A file that differs from
that commit (modified, staged or untracked) gets no ``repo_path``: its lines are not the commit's.

git is asked through its command line (``git -C <folder> rev-parse`` / ``status``); no git, no work
tree, or a repository without a commit simply means no permalinks.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("citebot.build")
GIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class RepoInfo:
    root: Path  # the work tree's top level, resolved
    commit: str  # the full sha of HEAD
    changed: frozenset[str]  # repo paths that differ from the commit (modified, staged, untracked)

    def repo_path(self, path: Path) -> str:
        """``path`` from the repository root, or "" when it is outside the repository or changed."""
        try:
            rel = Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return ""
        return "" if rel in self.changed else rel


def _git(folder: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape")


def repo_info(folder: Path) -> RepoInfo | None:
    """The git work tree ``folder`` is in, its HEAD commit and its changed files; None when there is none."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    commit = _git(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if not top or not commit:
        return None
    status = _git(folder, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ".")
    changed: set[str] = set()
    for entry in (status or "").split("\0"):
        if len(entry) > 3:
            changed.add(entry[3:])  # "XY path", paths relative to the repository root
    return RepoInfo(Path(top.strip()).resolve(), commit.strip(), frozenset(changed))
