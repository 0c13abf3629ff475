"""Where a build may write: the checks run before anything is touched.

A build replaces the directory ``--index`` names, so that directory must be a citebot index or
empty/missing (``generations.check_replaceable``), and it must not overlap what it would destroy or
read: not the documents folder, not inside it, not around it, and not the working directory or one
of its parents (``--index .``). Symlinks are resolved first, so a link cannot get around any of this.
"""

from __future__ import annotations

from pathlib import Path

from index.errors import UnsafeIndexPath
from index.storage.generations import check_replaceable, index_root


def check_build_target(index_dir: Path, docs_dir: Path | None = None, cwd: Path | None = None) -> Path:
    """The resolved index directory a build may replace; UnsafeIndexPath or NotAnIndex otherwise."""
    root = index_root(index_dir)
    here = Path(cwd or Path.cwd()).resolve()
    if here == root or here.is_relative_to(root):
        raise UnsafeIndexPath(index_dir, "it is the current directory or one of its parents")
    if docs_dir is not None:
        docs = Path(docs_dir).expanduser().resolve()
        if root == docs:
            raise UnsafeIndexPath(index_dir, "it is the documents folder")
        if root.is_relative_to(docs):
            raise UnsafeIndexPath(index_dir, f"it is inside the documents folder {docs}")
        if docs.is_relative_to(root):
            raise UnsafeIndexPath(index_dir, f"the documents folder {docs} is inside it")
    check_replaceable(root)
    return root
