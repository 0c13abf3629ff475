"""Units with two texts: sentences split on display text and quoted by their source span, code whole."""

from __future__ import annotations

import numpy as np

from index.ingest.chunking import chunk_documents
from index.ingest.units import document_units
from index.models.documents import CODE, Document
from tests.conftest import FakeEmbedder
from tests.index.markup import markdown_doc


def test_prose_is_split_on_display_text_and_quoted_by_source_span() -> None:
    doc = markdown_doc()
    units = list(document_units(doc))
    shown = [(u.display, doc.text[u.start : u.end]) for u in units]
    assert shown == [
        ("Use Typer now.", "Use **Typer** now."),
        ("See the docs first.", "See [the docs](https://x.y/z) first."),
        ("To install it, run:", "To install it, run:"),
        ('pip install "typer[all]"\ntyper --version', 'pip install "typer[all]"\ntyper --version'),
        ("Run the installer.", "Run the *installer*."),
        ("Then restart the shell.", "Then restart the shell."),
    ]
    assert [doc.blocks[u.block].kind for u in units].count(CODE) == 1  # one code unit, never cut
    assert all(doc.blocks[u.block].kind != "heading" for u in units)  # headings are context


def test_plain_text_units_are_the_sentences_in_place() -> None:
    text = "First one. Second one!\nThird line here."
    units = list(document_units(Document("a.txt", text)))
    assert [(u.start, u.end) for u in units] == [(0, 10), (11, 22), (23, 39)]
    assert all(u.display == text[u.start : u.end] for u in units)


def test_a_code_block_over_the_budget_stays_one_unit_embedded_by_its_first_window() -> None:
    code = "\n".join(f"value_{i} = compute({i}, option=True)" for i in range(80))
    from index.models.documents import Block

    doc = Document("big.py", code, [Block(CODE, 0, len(code), language="python")], format="code")
    corpus = chunk_documents([doc], FakeEmbedder(), max_tokens=32)
    (unit,) = corpus.units
    assert (unit.start, unit.end) == (0, len(code)) and unit.display == code
    assert 0 < unit.embed_end < len(code) and len(unit.embed_text.split()) <= 32
    assert [(c.first, c.last) for c in corpus.chunks] == [(0, 1)]


def test_prose_over_the_budget_is_cut_and_each_piece_keeps_its_source_span() -> None:
    doc = markdown_doc()
    corpus = chunk_documents([doc], FakeEmbedder(), max_tokens=3)
    for u in corpus.units:
        quote = doc.text[u.start : u.end]
        assert quote.replace("**", "").replace("*", "").replace("[", "").replace("](https://x.y/z)", "") == u.display \
            or doc.blocks[u.block].kind == CODE


def test_the_index_stores_both_texts_blocks_and_the_lead_in_link(tmp_path, fake_embedder: FakeEmbedder) -> None:  # noqa: ANN001
    from index.ingest.builder import build_index
    from index.settings import Settings
    from index.storage.store import read_index

    settings = Settings(index_dir=tmp_path / "index")
    doc = markdown_doc()
    build_index(settings, documents=[doc, Document("plain.txt", "Just plain text here.")], embedder=fake_embedder)
    data = read_index(settings.index_dir)
    assert [data.unit_display(i) for i in range(len(data.units))][:2] == ["Use Typer now.", "See the docs first."]
    assert data.unit_text(0) == "Use **Typer** now."
    assert data.unit_display(len(data.units) - 1) == data.unit_text(len(data.units) - 1) == "Just plain text here."
    code = [i for i in range(len(data.units)) if data.unit_kind(i) == "code"]
    assert len(code) == 1 and data.unit_language(code[0]) == "python"
    u = data.units[code[0]]
    assert (int(u["line"]), int(u["end_line"])) == (8, 9)
    blocks = data.doc_blocks(0)
    kinds = [data.tables.kinds[k] for k in blocks["kind"]]
    assert kinds == ["heading", "paragraph", "paragraph", "code", "heading", "paragraph"]
    assert blocks["next"].tolist() == [-1, -1, 3, -1, -1, -1]  # the lead-in introduces the code block
    assert blocks["level"].tolist()[0] == 1 and blocks["level"].tolist()[4] == 2
    assert data.docs[0].format == "markdown" and data.docs[0].role == "docs"
    # BM25 and the model saw display text, never the markup
    assert all("**" not in data.chunk_search_text(c) for c in range(len(data.chunks)))
    assert data.chunk_search_text(0).startswith("Install\nUse Typer now. See the docs first.")
    assert "Typer" in data.bm25.vocab or "typer" in data.bm25.vocab
    vec = fake_embedder.encode(["Use Typer now."])[0]
    assert np.allclose(data.unit_vectors[0], vec)
