"""Quotes over several units through the whole query path, with the real model, on a small docs folder."""

from __future__ import annotations

import json

import pytest

from index.ingest.builder import build_index
from index.query.answer import answer_from_json, answer_record
from index.query.engine import Engine
from index.query.extend import MAX_CHARS
from index.query.render import render_plain
from index.settings import Settings

TIMEOUTS = """# Timeouts

HTTPX is careful to enforce timeouts everywhere.

## Setting and disabling timeouts

You can set timeouts for an individual request:

```python
httpx.get('http://example.com/api/v1/example', timeout=10.0)
```

## Fine tuning the configuration

There are four different types of timeouts that may occur. These are **connect**, **read**, **write**, and **pool** timeouts.

The connect timeout specifies the maximum amount of time to wait until a socket connection is established.

## Pools

Connection pools can be configured on the client. By default, a client keeps at most 10 connections alive.
"""

STREAMING = """# Streaming

To stream a large download, use the stream method:

```python
with httpx.stream("GET", "https://www.example.org/") as response:
    for chunk in response.iter_bytes():
        print(chunk)
```
"""


@pytest.fixture(scope="module")
def docs_engine(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> tuple[Engine, dict[str, str]]:  # noqa: ANN001
    base = tmp_path_factory.mktemp("spans")
    docs = base / "docs"
    docs.mkdir()
    (docs / "timeouts.md").write_text(TIMEOUTS, encoding="utf-8")
    (docs / "streaming.md").write_text(STREAMING, encoding="utf-8")
    settings = Settings(docs_dir=docs, index_dir=base / "index")
    build_index(settings, embedder=real_embedder)
    texts = {p.name: p.read_text(encoding="utf-8") for p in docs.iterdir()}
    return Engine.open(settings, embedder=real_embedder), texts


def check(engine_texts: tuple[Engine, dict[str, str]], question: str):  # noqa: ANN201
    engine, texts = engine_texts
    answer = engine.ask(question)
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        text = texts[c.source]
        assert text[c.char_start : c.char_end] == c.quote
        assert c.line == text.count("\n", 0, c.char_start) + 1
        assert c.last_line == text.count("\n", 0, c.char_end - 1) + 1
        assert len(c.shown) <= MAX_CHARS + 40  # fences and a space or two beyond the parts' text
        for p in c.parts:
            assert c.char_start <= p.char_start < p.char_end <= c.char_end
    return answer


def test_a_howto_question_gets_the_lead_in_and_its_code(docs_engine) -> None:  # noqa: ANN001
    answer = check(docs_engine, "how do I set a timeout on one request?")
    top = answer.citations[0]
    assert top.kind == "code" and top.language == "python"
    assert [p.kind for p in top.parts] == ["paragraph", "code"]
    assert top.quote.startswith("You can set timeouts for an individual request:")
    assert "timeout=10.0" in top.quote and "```python\nhttpx.get(" in top.shown
    plain = render_plain(answer)
    assert "```python" in plain and "“You can set timeouts" in plain


def test_a_code_answer_shows_its_lead_in(docs_engine) -> None:  # noqa: ANN001
    top = check(docs_engine, "show me code to stream a large download with iter_bytes").citations[0]
    assert top.kind == "code" and "for chunk in response.iter_bytes():" in top.quote
    assert top.quote.startswith("To stream a large download")


def test_a_sentence_with_the_follow_up_that_answers(docs_engine) -> None:  # noqa: ANN001
    top = check(docs_engine, "what are the four types of timeouts?").citations[0]
    assert "There are four different types" in top.quote and "These are **connect**" in top.quote
    assert "These are connect, read, write, and pool timeouts." in top.shown  # markup rendered
    assert "The connect timeout specifies" not in top.quote  # the next paragraph is not part of it


def test_spans_survive_json_and_the_answer_store(docs_engine) -> None:  # noqa: ANN001
    answer = check(docs_engine, "how do I set a timeout on one request?")
    data = answer.to_json()
    top = data["citations"][0]
    assert top["kind"] == "code" and top["language"] == "python" and top["end_line"] > top["line"]
    assert [p["kind"] for p in top["parts"]] == ["paragraph", "code"]
    assert answer_from_json(json.loads(json.dumps(answer_record(answer)))) == answer
    back = answer_from_json(data)
    assert back.citations[0].parts == answer.citations[0].parts


def test_quotes_never_overlap(docs_engine) -> None:  # noqa: ANN001
    for q in ("timeouts", "how do I set a timeout on one request?", "connect timeout", "stream a download"):
        answer = check(docs_engine, q)
        cites = answer.citations
        for i, a in enumerate(cites):
            for b in cites[i + 1 :]:
                assert a.source != b.source or a.char_end <= b.char_start or b.char_end <= a.char_start
