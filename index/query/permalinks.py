"""A citation's link to its exact lines at the commit the index was built from
(``index.ingest.gitinfo`` records the commit and each document's repository path)."""

from __future__ import annotations

from urllib.parse import quote


def permalink(repo_url: str, commit: str, repo_path: str, line: int, end_line: int | None = None) -> str:
    """``<repo>/blob/<sha>/<path>#L<line>`` or ``#L<line>-L<end_line>`` (GitHub, GitLab and Gitea style)."""
    anchor = f"#L{line}" if not end_line or end_line <= line else f"#L{line}-L{end_line}"
    return f"{repo_url.rstrip('/')}/blob/{commit}/{quote(repo_path, safe='/')}{anchor}"
