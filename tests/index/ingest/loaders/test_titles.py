"""A Markdown page without a ``# Title``: its title from front matter, the mkdocs nav or its file name
heads the context of its blocks (as httpx's docs/advanced/timeouts.md needs)."""

from __future__ import annotations

from pathlib import Path

from index.ingest.loaders import load_folder
from index.ingest.loaders.titles import humanize, nav_titles
from tests.index.ingest.loaders.conftest import SHARED_DOCSQA

MKDOCS = """\
site_name: Widget
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
nav:
  - Home: index.md
  - Guides:
      - Setting timeouts: advanced/timeouts.md
      - advanced/hooks.md
  - GitHub: https://github.com/org/widget
"""


def test_humanized_file_names() -> None:
    assert humanize("docs/advanced/event-hooks.md") == "Event hooks"
    assert humanize("docs/advanced/ssl.md") == "SSL"
    assert humanize("docs/third_party_packages.md") == "Third party packages"
    assert humanize("docs/guide/index.md") == "Guide"
    assert humanize("api-reference.ipynb") == "API reference"


def test_nav_titles_from_mkdocs_yml(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS)
    assert nav_titles(tmp_path) == {"docs/index.md": "Home", "docs/advanced/timeouts.md": "Setting timeouts"}
    (tmp_path / "mkdocs.yml").write_text("nav: [unclosed\n")
    assert nav_titles(tmp_path) == {}  # a broken config: file names instead, never a failed load
    assert nav_titles(tmp_path / "nowhere") == {}


def test_pages_without_h1_get_a_title_context(write, tmp_path: Path) -> None:
    write("mkdocs.yml", MKDOCS)
    write("docs/index.md", "# Widget\n\nWidget makes widgets.\n")
    write("docs/advanced/timeouts.md", "Timeouts are 5 seconds.\n\n## Pool timeout\n\nThe pool waits.\n")
    write("docs/advanced/hooks.md", "Hooks run on every request.\n")
    write("docs/advanced/retries.md", "---\ntitle: Retrying requests\n---\n\nRetries are off.\n")
    write("docs/faq.md", "---\ntitle: Questions\n---\n\n# FAQ\n\nAsk away.\n")
    docs = {d.source: d for d in load_folder(tmp_path).documents}

    def contexts(source: str) -> list[tuple[str, str]]:
        doc = docs[source]
        return [(b.display_text(doc.text), b.context) for b in doc.blocks]

    assert docs["docs/advanced/timeouts.md"].title == "Setting timeouts"  # the nav's title
    assert contexts("docs/advanced/timeouts.md") == [
        ("Timeouts are 5 seconds.", "Setting timeouts"),
        ("Pool timeout", "Setting timeouts"),
        ("The pool waits.", "Setting timeouts > Pool timeout"),
    ]
    assert contexts("docs/advanced/hooks.md") == [("Hooks run on every request.", "Hooks")]  # file name
    assert contexts("docs/advanced/retries.md") == [("Retries are off.", "Retrying requests")]  # front matter
    # a page with its own H1 keeps it as the root of its heading path
    assert contexts("docs/index.md") == [("Widget", ""), ("Widget makes widgets.", "Widget")]
    assert contexts("docs/faq.md") == [("FAQ", ""), ("Ask away.", "FAQ")]


def test_an_included_fragment_keeps_the_includers_context(write, tmp_path: Path) -> None:
    write("docs/guide.md", '# Guide\n\n## Setup\n\n--8<-- "docs/_snippets/note.md"\n')
    write("docs/_snippets/note.md", "A shared paragraph.\n")
    docs = {d.source: d for d in load_folder(tmp_path).documents}
    note = docs["docs/_snippets/note.md"]
    assert [b.context for b in note.blocks] == ["Guide > Setup"]


def test_httpx_timeouts_page_has_its_title() -> None:
    corpus = SHARED_DOCSQA / "httpx" / "corpus"
    if not corpus.is_dir():
        import pytest

        pytest.skip(f"shared docs not found at {corpus}")
    docs = {d.source: d for d in load_folder(corpus).documents}
    doc = docs["docs/advanced/timeouts.md"]
    assert doc.title == "Timeouts"
    first = doc.blocks[0]
    assert first.display_text(doc.text).startswith("HTTPX is careful to enforce timeouts")
    assert first.context == "Timeouts"
    assert docs["docs/advanced/ssl.md"].title == "SSL"
    assert docs["docs/quickstart.md"].title == "QuickStart"  # its own H1
