"""index.query.context: a citation with the lines around it, verbatim, from an open index."""

from __future__ import annotations

import pytest

from index.ingest.builder import build_index
from index.query.context import ExcerptGone, around, lines_around, sources
from index.query.engine import Engine

TEXT = "line one\nline two\nThe fee is 150 euros.\nline four\nline five\nline six\n"


def test_lines_around_is_verbatim_and_clipped():
    quote_line = 3
    ex = lines_around(TEXT, quote_line, quote_line, 1)
    assert ex.text == "line two\nThe fee is 150 euros.\nline four" == TEXT[ex.start : ex.end]
    assert (ex.line, ex.end_line) == (2, 4)
    ex = lines_around(TEXT, 1, 1, 5)
    assert ex.line == 1 and ex.text == TEXT[ex.start : ex.end] and ex.text.startswith("line one")


def test_around_a_real_citation(tmp_path, fake_embedder, settings):
    docs = settings.docs_dir
    docs.mkdir()
    (docs / "fees.txt").write_text(TEXT, encoding="utf-8")
    build_index(settings, embedder=fake_embedder)
    engine = Engine.open(settings, embedder=fake_embedder)
    answer = engine.ask("What is the fee?")
    citation = next(c for c in answer.citations if "150 euros" in c.quote)
    ex = around(engine, citation, 1)
    assert citation.quote in ex.text and ex.text == TEXT[ex.start : ex.end]
    assert sources(engine) == ["fees.txt"]

    (docs / "fees.txt").write_text(TEXT.replace("150", "180"), encoding="utf-8")  # rebuilt since the answer
    build_index(settings, embedder=fake_embedder)
    with pytest.raises(ExcerptGone, match="has changed since this answer"):
        around(Engine.open(settings, embedder=fake_embedder), citation, 1)
