"""What a docs folder's files are: a format to load, or a reason (counted) not to index them."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.loaders import load_folder
from index.ingest.loaders.formats import classify, role_of
from index.ingest.loaders.summary import load_summary
from index.models.documents import CHANGELOG, DOCS, SOURCE


@pytest.mark.parametrize(
    ("rel", "content", "expected"),
    [
        ("docs/index.md", "# x", ("markdown", None)),
        ("docs/page.mdx", "# x", ("markdown", None)),
        ("docs/user/quickstart.rst", "x", ("rst", None)),
        ("nb/demo.ipynb", "{}", ("notebook", None)),
        ("src/pkg/mod.py", "x = 1", ("code", None)),
        ("src/main.go", "package main", ("code", None)),
        ("notes.txt", "x", ("text", None)),
        ("page.html", "<p>x</p>", ("html", None)),
        ("docs/img/logo.png", b"\x89PNG", (None, "image")),
        ("docs/css/custom.css", "a{}", (None, "stylesheet or script of the site")),
        ("docs/js/extra.js", "x()", (None, "stylesheet or script of the site")),
        ("docs/overrides/partials/nav.html", "<nav>", (None, "template or theme file")),
        ("docs/_templates/sidebar.html", "<div>", (None, "template or theme file")),
        ("site/layout.html", "{% block content %}{% endblock %}", (None, "template or theme file")),
        ("docs/requirements.txt", "sphinx", (None, "dependency list")),
        ("CNAME", "example.org", (None, "unsupported file type")),
    ],
)
def test_classify(tmp_path: Path, rel: str, content: str | bytes, expected: tuple) -> None:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    assert classify(rel, path) == expected


@pytest.mark.parametrize(
    ("rel", "fmt", "role"),
    [
        ("CHANGELOG.md", "markdown", CHANGELOG),
        ("docs/release-notes.md", "markdown", CHANGELOG),
        ("HISTORY.rst", "rst", CHANGELOG),
        ("docs/changes.rst", "rst", CHANGELOG),
        ("docs/changelog/2.0.md", "markdown", CHANGELOG),
        ("NEWS.txt", "text", CHANGELOG),
        ("docs/user/quickstart.rst", "rst", DOCS),
        ("docs/history-of-http.md", "markdown", CHANGELOG),
        ("src/app.py", "code", SOURCE),
        # one file per release, in a folder of any spelling, named by version
        ("docs/change_log/index.md", "markdown", CHANGELOG),
        ("docs/Release-Notes/summary.rst", "rst", CHANGELOG),
        ("docs/whats_new/overview.md", "markdown", CHANGELOG),
        ("docs/release-2.5.md", "markdown", CHANGELOG),
        ("docs/v1.2.0.md", "markdown", CHANGELOG),
        ("docs/2.0.rst", "rst", CHANGELOG),
        ("docs/version_3.1rc1.md", "markdown", CHANGELOG),
        # pages that only look like it: a process page, numbered tutorial parts, a topic folder
        ("docs/community/release-process.rst", "rst", DOCS),
        ("docs/tutorial/1.md", "markdown", DOCS),
        ("docs/01-intro.md", "markdown", DOCS),
        ("docs/v2/migrating.md", "markdown", DOCS),
        ("docs/logging/index.md", "markdown", DOCS),
    ],
)
def test_changelogs_are_marked(rel: str, fmt: str, role: str) -> None:
    assert role_of(rel, fmt) == role


def test_summary_counts_formats_kinds_skips_and_changelog_share(write, tmp_path: Path) -> None:
    write("docs/index.md", "# Home\n\nWelcome.\n\n```py\nx = 1\n```\n")
    write("docs/release-notes.md", "# Release notes\n\n## 1.0\n\n* First release.\n* Second item.\n")
    write("docs/img/a.png", b"\x89PNG\r\n")
    write("docs/overrides/main.html", "{% extends 'base.html' %}")
    result = load_folder(tmp_path)
    roles = {d.source: d.role for d in result.documents}
    assert roles == {"docs/index.md": DOCS, "docs/release-notes.md": CHANGELOG}
    assert load_summary(result) == [
        "documents: 2 markdown",
        "blocks: 3 heading, 2 list item, 1 code, 1 paragraph",
        "changelogs: 1 document, 57% of the blocks (marked as changelog)",
        "not indexed: 1 image, 1 template or theme file",
        "display text: no markup left",
    ]


def test_summary_names_blocks_with_markup_left(write, tmp_path: Path) -> None:
    from index.ingest.loaders import LoadResult
    from index.models.documents import PARAGRAPH, Block, Document

    text = "Clean text.\n\nA |stray| substitution.\n"
    blocks = [Block(PARAGRAPH, 0, 11), Block(PARAGRAPH, 13, len(text) - 1)]
    doc = Document("a.rst", text, blocks, format="rst")
    lines = load_summary(LoadResult(documents=[doc]))
    assert lines[-1] == "display text: markup left in 1 blocks: a.rst:3 (rST substitution)"
    plain = Document("a.txt", text, blocks)  # plain text is shown as written: nothing to render
    assert load_summary(LoadResult(documents=[plain]))[-1] == "display text: no markup left"
