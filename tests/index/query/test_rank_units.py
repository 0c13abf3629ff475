"""Ranking the right unit first: code for code questions, the current docs before the changelog.

The rows are built and read by name (``SENTENCE_FEATURES``); the behaviour is checked with the real model
and the shipped rankers on a small docs folder written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.builder import build_index
from index.ingest.loaders import load_folder
from index.query import pipeline
from index.query.engine import Engine
from index.query.quotes import SENTENCE_FEATURES
from index.settings import Settings

FENCE = "`" * 3
TIMEOUTS = f"""# Timeouts

HTTPX is careful to enforce timeouts everywhere by default.

The default behavior is to raise a `TimeoutException` after 5 seconds of network inactivity.

## Fine tuning the configuration

The connect timeout is the maximum amount of time to wait until a socket connection to the host is
established.

You can configure the timeout for each phase separately, like this:

{FENCE}python
timeout = httpx.Timeout(10.0, connect=60.0)
client = httpx.Client(timeout=timeout)
{FENCE}

There are four different types of timeouts that may occur: connect, read, write and pool.
"""
CLIENTS = f"""# Clients

If you do anything more than experimentation or one-off scripts, you should use a `Client` instance.

A client reuses the underlying TCP connection when you make several requests to the same host.

Use a client as a context manager to make sure its connections are cleaned up:

{FENCE}python
with httpx.Client() as client:
    r = client.get("https://example.com")
{FENCE}
"""
CHANGELOG = """# Changelog

## 0.28.0

* The default timeout is 5 seconds of network inactivity now, not no timeout at all.
* Dropped support for Python 3.7.
"""


@pytest.fixture(scope="module")
def docs_engine(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Engine:  # noqa: ANN001
    root = tmp_path_factory.mktemp("rankdocs")
    docs = root / "docs"
    docs.mkdir()
    (docs / "timeouts.md").write_text(TIMEOUTS, encoding="utf-8")
    (docs / "clients.md").write_text(CLIENTS, encoding="utf-8")
    (docs / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    settings = Settings(docs_dir=docs, index_dir=root / "index")
    documents = load_folder(Path(docs)).documents
    assert {d.source: d.role for d in documents}["CHANGELOG.md"] == "changelog"
    build_index(settings, documents=documents, embedder=real_embedder)
    return Engine.open(settings, embedder=real_embedder)


def _first(engine: Engine, question: str):  # noqa: ANN202
    state = engine.retrieve(question)
    best = state.candidates[0]
    return engine.backend.unit(best.unit), state


def test_the_rows_say_what_a_unit_is_by_name(docs_engine: Engine) -> None:
    state = pipeline.run(docs_engine.context, docs_engine.state("example of a long connect timeout?"),
                         pipeline.FIRST_STAGE)
    rows = state.rows
    assert rows is not None and rows.names == SENTENCE_FEATURES
    kinds = {docs_engine.backend.unit(u).kind for u, _ in state.meta}
    assert "code" in kinds
    for r, (u, _) in enumerate(state.meta):
        unit = docs_engine.backend.unit(u)
        row = rows.row(r)
        assert row["is_code"] == float(unit.kind == "code")
        assert row["code_wanted"] == float(unit.kind == "code")  # the question asks for code
        lead_in = unit.display.endswith(":") and docs_engine.backend.unit(u + 1).kind == "code"
        assert row["lead_in"] == row["lead_in_wanted"] == float(lead_in)
        assert row["changelog"] == float(docs_engine.backend.document(unit.doc).source == "CHANGELOG.md")


def test_a_code_question_gets_the_code_block(docs_engine: Engine) -> None:
    unit, _ = _first(docs_engine, "example of giving the connect phase a long timeout but everything else 10s?")
    assert unit.kind == "code" and "httpx.Timeout(10.0, connect=60.0)" in unit.quote
    unit, _ = _first(docs_engine, "show me how to use a client as a context manager")
    assert unit.kind == "code" and "with httpx.Client() as client:" in unit.quote


def test_a_prose_question_gets_prose(docs_engine: Engine) -> None:
    unit, _ = _first(docs_engine, "why should I use a Client instance?")
    assert unit.kind != "code"


def test_the_changelog_loses_unless_the_question_is_about_versions(docs_engine: Engine) -> None:
    unit, state = _first(docs_engine, "what is the default timeout?")
    assert docs_engine.backend.document(unit.doc).source == "timeouts.md"
    assert "5 seconds of network inactivity" in unit.quote
    docs = [docs_engine.backend.document(int(d)).source for d in state.documents.docs]
    assert docs.index("timeouts.md") < docs.index("CHANGELOG.md")

    unit, state = _first(docs_engine, "what changed about the default timeout in 0.28?")
    assert docs_engine.backend.document(unit.doc).source == "CHANGELOG.md"
