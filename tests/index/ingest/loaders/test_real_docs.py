"""The two shared docs folders (httpx: mkdocs Markdown, requests: Sphinx rST) load with no markup
left in any display text, every code block of their pages as a code block, includes resolved or
reported. They live beside the repository (``../shared/data/docsqa``), never in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.ingest.loaders import LoadResult, load_folder
from index.ingest.loaders.residue import residue_matches
from index.ingest.loaders.summary import load_summary
from index.models.documents import CODE, PROSE_KINDS
from tests.index.ingest.loaders.conftest import SHARED_DOCSQA, assert_well_formed

HTTPX = SHARED_DOCSQA / "httpx" / "corpus"
REQUESTS = SHARED_DOCSQA / "requests" / "corpus"

@pytest.fixture(scope="module")
def httpx_docs() -> LoadResult:
    if not HTTPX.is_dir():
        pytest.skip(f"shared docs not found at {HTTPX}")
    return load_folder(HTTPX)


@pytest.fixture(scope="module")
def requests_docs() -> LoadResult:
    if not REQUESTS.is_dir():
        pytest.skip(f"shared docs not found at {REQUESTS}")
    return load_folder(REQUESTS)


def _no_markup(result: LoadResult) -> None:
    for doc in result.documents:
        assert_well_formed(doc)
        for b in doc.blocks:
            if b.kind == CODE:
                continue
            display = b.display_text(doc.text)
            assert display == display.strip(), (doc.source, display)
            if doc.format in ("markdown", "rst"):
                assert "\n" not in display, (doc.source, display)
            found = residue_matches(display)
            assert found == [], f"{doc.source}:{doc.line_of(b.start)} {b.kind}: {display!r} {found}"


def _fences(text: str) -> list[str]:
    """The content of every fenced block of a Markdown page, found line by line (the test's own
    reading, independent of markdown-it)."""
    out, inside, indent, buf, marker = [], False, 0, [], ""
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not inside and stripped.startswith(("```", "~~~")):
            inside, indent, buf, marker = True, len(line) - len(stripped), [], stripped[:3]
        elif inside and stripped.startswith(marker) and not stripped.strip(marker[0]).strip():
            inside = False
            while buf and not buf[-1].strip():
                buf.pop()
            out.append("\n".join(ln[indent:] for ln in buf))
        elif inside:
            buf.append(line)
    return [f for f in out if f.strip()]


def test_httpx_no_markup_in_any_display_text(httpx_docs: LoadResult) -> None:
    assert {d.format for d in httpx_docs.documents} == {"markdown"}
    assert len(httpx_docs.documents) == 23
    _no_markup(httpx_docs)


def test_httpx_every_fenced_block_is_a_code_block(httpx_docs: LoadResult) -> None:
    total = 0
    for doc in httpx_docs.documents:
        codes = [b.display_text(doc.text) for b in doc.blocks if b.kind == CODE]
        fences = _fences(doc.text)
        assert codes == fences, doc.source
        total += len(fences)
    assert total == 199


def test_httpx_what_is_not_indexed_is_counted(httpx_docs: LoadResult) -> None:
    reasons = {s.path: s.reason for s in httpx_docs.not_indexed}
    assert reasons["docs/overrides/partials/nav.html"] == "template or theme file"
    assert reasons["docs/css/custom.css"] == "stylesheet or script of the site"
    assert sum(r == "image" for r in reasons.values()) == 10
    assert httpx_docs.api_directives == {"docs/api.md": 11, "docs/exceptions.md": 28}
    assert httpx_docs.skipped == []
    lines = load_summary(httpx_docs)
    assert lines[0] == "documents: 23 markdown"
    assert any(line.startswith("API-reference directives skipped") for line in lines)


def test_httpx_admonitions_and_their_titles(httpx_docs: LoadResult) -> None:
    doc = next(d for d in httpx_docs.documents if d.source == "docs/advanced/clients.md")
    tldr = next(b for b in doc.blocks if b.context.endswith("TL;DR"))
    assert tldr.kind == "admonition"
    assert tldr.display_text(doc.text).startswith("If you do anything more than experimentation")
    assert tldr.context == "Clients > Why use a Client? > TL;DR"  # a page without H1: its file name heads the path


def test_requests_no_markup_in_any_display_text(requests_docs: LoadResult) -> None:
    rst = [d for d in requests_docs.documents if d.format == "rst"]
    assert len(rst) == 15
    _no_markup(requests_docs)


def test_requests_every_literal_block_is_a_code_block(requests_docs: LoadResult) -> None:
    from docutils import nodes

    from index.ingest.loaders.rst_parse import parse_rst
    from index.ingest.loaders.rst_sphinx import code_node

    total = 0
    for doc in requests_docs.documents:
        if doc.format != "rst":
            continue
        lines = doc.text.split("\n")
        # each paragraph ending in "::" and each code-block directive introduces one (the test's own count)
        introduced = sum(
            1
            for ln in lines
            if (ln.rstrip().endswith("::") and not ln.lstrip().startswith(".. "))
            or re.match(r"\s*\.\. (code-block|sourcecode|code)::", ln)
        )
        tree = parse_rst(doc.text, doc.source)
        parsed = sum(
            1 for n in tree.findall() if isinstance(n, nodes.literal_block | nodes.doctest_block | code_node)
        )
        codes = [b for b in doc.blocks if b.kind == CODE]
        assert len(codes) == parsed >= introduced, doc.source
        assert all(doc.text[b.start : b.end].strip() for b in codes)
        total += len(codes)
    assert total == 120


def test_requests_includes_reported_and_autodoc_counted(requests_docs: LoadResult) -> None:
    unresolved = {(u.includer, u.target, u.reason) for u in requests_docs.unresolved}
    assert unresolved == {
        ("docs/community/updates.rst", "../../HISTORY.md", "outside the docs folder"),
        ("docs/dev/authors.rst", "../../AUTHORS.rst", "outside the docs folder"),
    }
    assert requests_docs.api_directives == {"docs/api.rst": 35}
    assert "docs/conf.py" in {s.path for s in requests_docs.not_indexed}
    text = "\n".join(load_summary(requests_docs))
    assert "unresolved: docs/community/updates.rst:18 → ../../HISTORY.md (outside the docs folder)" in text


def test_requests_prose_kinds_and_contexts(requests_docs: LoadResult) -> None:
    doc = next(d for d in requests_docs.documents if d.source == "docs/user/quickstart.rst")
    note = next(b for b in doc.blocks if b.kind == "admonition" and "Timeouts" in b.context)
    assert note.context == "Quickstart > Timeouts > Note"
    assert note.display_text(doc.text).startswith(
        "`timeout` is not a time limit on the entire response download"
    )
    kinds = {b.kind for d in requests_docs.documents for b in d.blocks}
    assert {"heading", "paragraph", "list_item", "code", "admonition"} <= kinds
    assert all(b.kind in PROSE_KINDS | {"heading", "code"} for b in doc.blocks)


def test_shared_data_is_beside_not_inside_the_repository() -> None:
    root = Path(__file__).resolve().parents[4]
    assert not (root / "shared").exists()
