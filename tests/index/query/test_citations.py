"""Citations carry both texts: the verbatim quote (source) and what people are shown (display)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.answer import Answer, Citation
from index.query.engine import Engine
from index.query.render import render_plain
from index.query.sections import lines_around, section
from index.settings import Settings
from tests.conftest import FakeEmbedder
from tests.index.markup import SOURCE, markdown_doc


@pytest.fixture
def engine(tmp_path: Path, fake_embedder: FakeEmbedder) -> Engine:
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=[markdown_doc(), Document("notes.txt", "Typer apps restart fast.")],
                embedder=fake_embedder)
    return Engine.open(settings, embedder=fake_embedder)


def every_unit(engine: Engine) -> list[Citation]:
    return [engine.citation(i) for i in range(len(engine.data.units))]


def test_every_citation_is_verbatim_and_shows_display_text(engine: Engine) -> None:
    cites = every_unit(engine)
    for c in cites:
        doc = next(d for d in engine.data.docs if d.source == c.source)
        assert doc.text[c.char_start : c.char_end] == c.quote
        assert c.line == doc.text.count("\n", 0, c.char_start) + 1
        assert c.last_line == doc.text.count("\n", 0, c.char_end - 1) + 1
        assert "**" not in c.shown and "](" not in c.shown
    first = cites[0]
    assert (first.quote, first.display, first.shown) == ("Use **Typer** now.", "Use Typer now.", "Use Typer now.")
    plain = cites[-1]
    assert plain.display == "" and plain.shown == plain.quote == "Typer apps restart fast."
    code = next(c for c in cites if c.kind == "code")
    assert code.language == "python" and (code.line, code.end_line) == (8, 9)
    assert code.quote == 'pip install "typer[all]"\ntyper --version'


def test_json_adds_display_and_url_only_when_known(engine: Engine) -> None:
    c = every_unit(engine)[0]
    data = c.to_json()
    # the contract's fields, and (added later) what kind of unit it quotes and its last line
    assert set(data) == {"quote", "display", "source", "line", "char_start", "char_end", "score", "kind", "end_line"}
    assert data["kind"] == "paragraph" and data["end_line"] == data["line"]
    assert data["display"] == "Use Typer now." and data["quote"] == "Use **Typer** now."
    linked = Citation("q", "a.md", 3, 0, 1, 0.5, url="https://example.org/a.md#L3")
    assert linked.to_json()["url"] == "https://example.org/a.md#L3"
    assert Citation("q", "a.md", 3, 0, 1, 0.5).to_json()["display"] == "q"  # an old stored answer


def test_asking_quotes_source_and_answers_with_display(engine: Engine) -> None:
    answer = engine.ask("Use Typer now")
    assert not answer.abstained
    for c in answer.citations:
        assert SOURCE[c.char_start : c.char_end] == c.quote or c.source == "notes.txt"
    assert any(c.shown == "Use Typer now." and c.quote == "Use **Typer** now." for c in answer.citations)


def test_plain_output_shows_display_text_and_code_fenced_with_its_language() -> None:
    answer = Answer("q", False, [
        Citation("Use **Typer** now.", "guide.md", 3, 11, 29, 0.6, display="Use Typer now."),
        Citation('pip install "typer[all]"\ntyper --version', "guide.md", 8, 80, 120, 0.3, kind="code",
                 language="python", end_line=9, url="https://github.com/o/r/blob/abc/docs/guide.md#L8-L9"),
    ])
    out = render_plain(answer)
    assert "“Use Typer now.”" in out and "**" not in out
    assert "```python\n   pip install \"typer[all]\"\n   typer --version\n   ```" in out
    assert "— guide.md:8-9  https://github.com/o/r/blob/abc/docs/guide.md#L8-L9" in out
    assert "— guide.md:3" in out


def test_section_of_a_quote(engine: Engine) -> None:
    at = SOURCE.index("Then restart")
    sec = engine.section("guide.md", at)
    assert sec.heading == "Install > Linux"
    assert sec.text == "## Linux\n\nRun the *installer*. Then restart the shell."
    assert SOURCE[sec.start : sec.end] == sec.text and sec.line == 12
    top = engine.section("guide.md", SOURCE.index("Use **Typer**"))
    assert top.heading == "Install" and top.text.startswith("# Install") and "## Linux" not in top.text
    whole = engine.section("notes.txt", 3)  # no headings: the whole document
    assert whole.text == "Typer apps restart fast." and whole.heading == ""
    with pytest.raises(KeyError):
        engine.section("missing.md", 0)


def test_a_section_ends_at_the_next_heading() -> None:
    import numpy as np

    from index.storage.schema import BLOCK_DTYPE, KINDS

    blocks = np.zeros(3, dtype=BLOCK_DTYPE)
    text = "intro\n\n# A\n\nx\n\n## B\n\ny\n\n# C\n\nz"
    for row, (piece, level) in enumerate([("# A", 1), ("## B", 2), ("# C", 1)]):
        s = text.index(piece)
        blocks[row] = (0, KINDS.index("heading"), s, s + len(piece), level, 0, 0, -1)
    at = text.index
    assert section(text, blocks, list(KINDS), [""], at("intro")).text == "intro"
    assert section(text, blocks, list(KINDS), [""], at("x")).text == "# A\n\nx"
    assert section(text, blocks, list(KINDS), [""], at("y")).text == "## B\n\ny"
    assert section(text, blocks, list(KINDS), [""], at("z")).text == "# C\n\nz"


def test_lines_around_a_quote() -> None:
    text = "\n".join(f"line {i}" for i in range(1, 11))
    ex = lines_around(text, 5, 6, 2)
    assert (ex.line, ex.end_line) == (3, 8) and ex.text == "line 3\nline 4\nline 5\nline 6\nline 7\nline 8"
    assert text[ex.start : ex.end] == ex.text
    edge = lines_around(text, 1, 1, 3)
    assert (edge.line, edge.end_line) == (1, 4) and edge.text.startswith("line 1\n")
    tail = lines_around(text, 10, 10, 5)
    assert tail.end_line == 10 and tail.text.endswith("line 10")


def test_engine_lines_around(engine: Engine) -> None:
    ex = engine.lines_around("guide.md", 8, 9, 1)
    assert ex.text == '```python\npip install "typer[all]"\ntyper --version\n```'


def test_display_survives_the_stored_round_trip() -> None:
    from index.query.answer import answer_from_json, answer_record

    a = Answer("q", False, [Citation("Use **Typer**.", "a.md", 3, 0, 14, 0.5, display="Use Typer.", kind="list_item",
                                     end_line=4, url="https://x/a.md#L3-L4"),
                            Citation("plain", "b.txt", 1, 0, 5, 0.4)])
    assert answer_from_json(answer_record(a)) == a
    assert answer_from_json(a.to_json()).citations[1] == Citation("plain", "b.txt", 1, 0, 5, 0.4)
    assert answer_from_json(a.to_json()).citations[0].display == "Use Typer."
