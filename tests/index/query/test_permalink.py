"""The citation URL: the exact lines at the exact commit, the path quoted."""

from index.query.permalinks import permalink

REPO_URL = "https://github.com/org/repo"


def test_a_line_range_and_a_quoted_path() -> None:
    assert permalink(REPO_URL + "/", "abc123", "docs/a b.md", 12, 18) == f"{REPO_URL}/blob/abc123/docs/a%20b.md#L12-L18"


def test_one_line_has_a_single_anchor() -> None:
    assert permalink(REPO_URL, "abc123", "docs/a.md", 7, 7) == f"{REPO_URL}/blob/abc123/docs/a.md#L7"
    assert permalink(REPO_URL, "abc123", "docs/a.md", 7) == f"{REPO_URL}/blob/abc123/docs/a.md#L7"
