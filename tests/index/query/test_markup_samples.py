"""A block of document markup (a Markdown library's ``md-render`` example) is the example, not the answer:
a question about what to do gets the prose that explains it. Real model and shipped rankers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from index.ingest.builder import build_index
from index.ingest.loaders import load_folder
from index.query import pipeline
from index.query.engine import Engine
from index.settings import Settings

FENCE = "`" * 3
TOC = f"""# Table of Contents

Summary: the Table of Contents extension generates a Table of Contents from a Markdown document and
adds it into the resulting HTML document.

## Usage

Place a marker in the document where you would like the Table of Contents to appear. Then, a nested
list of all the headers in the document will replace the marker.

{FENCE} md-render
---
extensions: [toc]
---

[TOC]

# Header 1

## Header 2
{FENCE}

The marker defaults to `[TOC]`. Regardless of whether a marker is found in the document, the Table of
Contents is available as an attribute (`toc`) on the Markdown class.

{FENCE} python
md = markdown.Markdown(extensions=['toc'])
html = md.convert(text)
page = render_some_template(context={{'body': html, 'toc': md.toc}})
{FENCE}
"""
QUESTION = "how do i put a table of contents somewhere in my document"


@pytest.fixture(scope="module")
def toc_engine(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Engine:  # noqa: ANN001
    root = tmp_path_factory.mktemp("markupdocs")
    docs = root / "docs"
    docs.mkdir()
    (docs / "toc.md").write_text(TOC, encoding="utf-8")
    settings = Settings(docs_dir=docs, index_dir=root / "index")
    build_index(settings, documents=load_folder(docs).documents, embedder=real_embedder)
    return Engine.open(settings, embedder=real_embedder)


def test_the_rows_mark_markup_samples_only(toc_engine: Engine) -> None:
    state = toc_engine.retrieve(QUESTION)
    assert state.rows is not None
    marked = {toc_engine.backend.unit(u).language: state.rows.row(r)["markup_sample"]
              for r, (u, _) in enumerate(state.meta) if toc_engine.backend.unit(u).kind == "code"}
    assert marked == {"md-render": 1.0, "python": 0.0}


def test_a_howto_question_gets_the_prose_not_the_markup_example(toc_engine: Engine) -> None:
    best = toc_engine.backend.unit(toc_engine.retrieve(QUESTION).candidates[0].unit)
    assert best.kind != "code"
    assert "Place a marker in the document" in best.quote


def test_without_the_prior_the_example_would_win(toc_engine: Engine) -> None:
    ctx = replace(toc_engine.context, quotes=replace(toc_engine.context.quotes, markup_sample=0.0))
    state = pipeline.run(ctx, toc_engine.state(QUESTION), pipeline.RETRIEVE)
    assert toc_engine.backend.unit(state.candidates[0].unit).language == "md-render"
