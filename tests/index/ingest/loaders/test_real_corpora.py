"""The two shared docs folders built into an index, as ``citebot index build --docs …`` does (issue 10,
"Done when"): every prose block, list item, table row and code block is indexed as units, no display
text carries markup (``residue``), includes resolve or are named in the build summary, the summary
shows formats, kinds, what was left out, unresolved includes and the changelogs' share, and every
citation is verbatim. The data lives beside the repository (``../shared/data/docsqa``).

The fast tests build with the fake embedder (what is indexed does not depend on the model); the
slow one asks every question of both sets with the real model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.ingest.builder import BuildReport, build_index
from index.ingest.loaders import LoadResult, load_folder
from index.ingest.loaders.residue import residue_matches
from index.ingest.units import block_units
from index.models.documents import CODE, HEADING
from index.query.engine import Engine
from index.settings import Settings
from index.storage.store import IndexData, read_index
from tests.conftest import FakeEmbedder
from tests.index.ingest.loaders.conftest import SHARED_DOCSQA

CORPORA = {"httpx": SHARED_DOCSQA / "httpx", "requests": SHARED_DOCSQA / "requests"}


@dataclass
class Built:
    name: str
    loaded: LoadResult
    report: BuildReport
    data: IndexData
    settings: Settings


def _require(name: str) -> Path:
    corpus = CORPORA[name] / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"shared docs QA data not found at {corpus} (../shared/data/docsqa beside the repository)")
    return corpus


@pytest.fixture(scope="module", params=sorted(CORPORA))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    name = request.param
    corpus = _require(name)
    settings = Settings(docs_dir=corpus, index_dir=tmp_path_factory.mktemp(name) / "index")
    report = build_index(settings, embedder=FakeEmbedder())
    return Built(name, load_folder(corpus, settings), report, read_index(settings.index_dir), settings)


def _markup(display: str) -> list[tuple[str, str]]:
    return residue_matches(display)


def test_every_block_is_indexed_as_units(built: Built) -> None:
    """Each prose block, list item, table row and code block has its units in the index: under its
    own block, or (a repeated sentence, a copied example) collapsed into an earlier identical one."""
    data, docs = built.data, {d.source: d for d in built.loaded.documents}
    assert [r.source for r in data.docs] == sorted(docs)
    indexed = {data.unit_display(i) for i in range(len(data.units))}
    blocks_with_units = set(data.units["block"].tolist())
    missing, own, kinds = [], 0, set()
    for d, record in enumerate(data.docs):
        doc = docs[record.source]
        base = int(data.doc_block_start[d])
        assert len(data.doc_blocks(d)) == len(doc.blocks)
        for i, b in enumerate(doc.blocks):
            if b.kind == HEADING:
                continue
            kinds.add(b.kind)
            units = [u.display for u in block_units(doc, i)]
            assert units, f"{doc.source}:{doc.line_of(b.start)} {b.kind} has no units"
            if base + i in blocks_with_units:
                own += 1
            elif not all(u in indexed for u in units):
                missing.append(f"{doc.source}:{doc.line_of(b.start)} {b.kind}")
    assert missing == []
    assert {"paragraph", "list_item", "code"} <= kinds
    assert own >= 0.95 * sum(1 for doc in docs.values() for b in doc.blocks if b.kind != HEADING)
    if built.name == "httpx":
        assert "admonition" in kinds  # (neither folder has a table: the fixtures of test_tables cover them)


def test_no_markup_in_any_display_text(built: Built) -> None:
    """Blocks, headings, contexts and every indexed unit's display text: no residue of any kind."""
    dirty = []
    for doc in built.loaded.documents:
        for b in doc.blocks:
            if b.kind != CODE and (m := _markup(b.display_text(doc.text))):
                dirty.append((f"{doc.source}:{doc.line_of(b.start)}", b.kind, m))
            if b.context and (m := _markup(b.context)):
                dirty.append((f"{doc.source}:{doc.line_of(b.start)}", "context", m))
    data = built.data
    for i in range(len(data.units)):
        if data.unit_kind(i) != CODE and (m := _markup(data.unit_display(i))):
            dirty.append((data.docs[int(data.units[i]["doc"])].source, "unit", m))
    assert dirty == []


def test_units_are_verbatim_slices(built: Built) -> None:
    data = built.data
    for i in range(len(data.units)):
        u = data.units[i]
        doc = data.docs[int(u["doc"])]
        assert 0 <= u["start"] < u["end"] <= len(doc.text)
        assert data.unit_text(i) == doc.text[int(u["start"]) : int(u["end"])]
        if data.unit_kind(i) == CODE:  # one whole unit, its lines as written (an rST block: dedented)
            shown, source = data.unit_display(i).split("\n"), data.unit_text(i).split("\n")
            assert [ln.strip() for ln in shown] == [ln.strip() for ln in source]


def test_the_build_summary_shows_it_all(built: Built) -> None:
    details = built.report.details
    text = "\n".join(details)
    assert details[0].startswith("documents: ")
    assert details[1].startswith("blocks: ") and "code" in details[1] and "list item" in details[1]
    assert any(line.startswith("changelogs: ") for line in details)
    assert any(line.startswith("not indexed: ") for line in details)
    assert "display text: no markup left" in text
    if built.name == "httpx":
        assert details[0] == "documents: 23 markdown"
        assert "changelogs: 0 documents, 0% of the blocks" in text
        assert "10 image" in text and "template or theme file" in text
        assert "API-reference directives skipped (no text of their own): 39" in text
    else:
        assert details[0] == "documents: 15 rst"  # _themes/ (its flask_theme_support.py too) is the site's
        assert "includes: 0 resolved, 2 unresolved" in text
        assert "unresolved: docs/community/updates.rst:18 → ../../HISTORY.md (outside the docs folder)" in text
        assert "unresolved: docs/dev/authors.rst:4 → ../../AUTHORS.rst (outside the docs folder)" in text
        assert "changelogs: 0 documents, 0% of the blocks" in text  # its history is ../../HISTORY.md


def _questions(name: str, limit: int | None = None) -> list[str]:
    rows = [json.loads(line) for line in (CORPORA[name] / "questions.jsonl").read_text().splitlines() if line.strip()]
    return [r["q"] for r in rows][:limit]


def _assert_verbatim(engine: Engine, questions: list[str]) -> int:
    docs = {d.source: d.text for d in engine.data.docs}
    n = 0
    for q in questions:
        answer = engine.ask(q)
        for c in answer.citations:
            assert docs[c.source][c.char_start : c.char_end] == c.quote, (q, c)
            if c.kind != CODE:
                assert _markup(c.shown) == [], (q, c.shown)
            n += 1
    return n


def test_citations_are_verbatim(built: Built) -> None:
    engine = Engine.open(built.settings, embedder=FakeEmbedder())
    assert _assert_verbatim(engine, _questions(built.name, 12)) > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CORPORA))
def test_every_question_gets_verbatim_citations_with_the_real_model(
    name: str, tmp_path: Path, real_embedder: object
) -> None:
    corpus = _require(name)
    settings = Settings(docs_dir=corpus, index_dir=tmp_path / "index")
    build_index(settings, embedder=real_embedder)  # type: ignore[arg-type]
    engine = Engine.open(settings, embedder=real_embedder)  # type: ignore[arg-type]
    assert _assert_verbatim(engine, _questions(name)) > 50
