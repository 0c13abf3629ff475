"""Property: whatever the documents, every citation is verbatim at its offsets."""

from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from index.ingest.builder import build_index
from index.models.documents import Document
from index.query.engine import Engine
from index.settings import Settings
from tests.conftest import FakeEmbedder

WORDS = ["fire", "caretaker", "baby", "Paris", "senator", "courage", "smoke", "window", "ledge", "hero",
         "Dr.", "39", "‘quoted", "words’", "“said", "he”", "e.g.", "déjà", "naïve", "x"]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(" ".join).map(
    lambda s: s + "."
)
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)
separator = st.sampled_from(["\n", "\n\n", "\r\n", " \n  \n", "\n\t"])
document = st.tuples(st.lists(paragraph, min_size=1, max_size=5), separator).map(
    lambda t: t[1].join(t[0])
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(document, min_size=1, max_size=4), question=st.lists(st.sampled_from(WORDS), min_size=1,
       max_size=6).map(" ".join))
def test_every_citation_and_passage_is_verbatim(tmp_path_factory, texts: list[str], question: str) -> None:  # noqa: ANN001
    base: Path = tmp_path_factory.mktemp("prop")
    docs = [Document(f"doc{i}.txt", t) for i, t in enumerate(texts)]
    settings = Settings(index_dir=base / "index")
    embedder = FakeEmbedder()
    build_index(settings, documents=docs, embedder=embedder)
    engine = Engine.open(settings, embedder=embedder)
    by_source = {d.source: d.text for d in docs}
    answer = engine.ask(question)
    quotes = []
    for c in answer.citations:
        assert by_source[c.source][c.char_start : c.char_end] == c.quote
        assert c.line == by_source[c.source].count("\n", 0, c.char_start) + 1
        quotes.append(c.quote)
    assert len(quotes) == len(set(quotes)) <= 3
    for p in answer.passages:
        assert by_source[p.source][p.char_start : p.char_end] == p.text


emphasised = st.lists(st.tuples(st.sampled_from(WORDS), st.booleans()), min_size=1, max_size=12).map(
    lambda ws: " ".join(f"**{w}**" if bold else w for w, bold in ws) + "."
)
markdown_paragraph = st.lists(emphasised, min_size=1, max_size=4).map(" ".join)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(markdown_paragraph, min_size=1, max_size=4), question=st.lists(st.sampled_from(WORDS),
       min_size=1, max_size=6).map(" ".join))
def test_citations_of_rendered_markup_are_verbatim_source(tmp_path_factory, paragraphs: list[str], question: str) -> None:  # noqa: ANN001
    """Units split on display text (``**`` dropped) still quote the exact source span."""
    from tests.index.markup import rendered

    base: Path = tmp_path_factory.mktemp("prop-md")
    text = "\n\n".join(paragraphs)
    blocks, pos = [], 0
    for p in paragraphs:
        blocks.append(rendered(text, pos, pos + len(p)))
        pos += len(p) + 2
    doc = Document("doc.md", text, blocks, format="markdown")
    settings = Settings(index_dir=base / "index")
    embedder = FakeEmbedder()
    build_index(settings, documents=[doc], embedder=embedder)
    engine = Engine.open(settings, embedder=embedder)
    for c in engine.ask(question).citations:
        assert text[c.char_start : c.char_end] == c.quote
        assert "**" not in c.shown and c.shown.replace(" ", "") in c.quote.replace("**", "").replace(" ", "")


lead_in = st.lists(st.sampled_from(WORDS), min_size=1, max_size=10).map(lambda ws: " ".join(ws) + st_end(ws))


def st_end(ws: list[str]) -> str:
    return (":", "...", ".", "…")[len(ws) % 4]


code_block = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" = ".join), min_size=1,
                      max_size=40).map(lambda lines: "```python\n" + "\n".join(lines) + "\n```")
list_block = st.lists(sentence, min_size=1, max_size=6).map(lambda items: "\n".join(f"* {i}" for i in items))
md_block = st.one_of(paragraph, code_block, list_block, lead_in, st.sampled_from(["## Heading", "# Title"]))


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(md_block, min_size=1, max_size=12), question=st.lists(st.sampled_from(WORDS), min_size=1,
       max_size=6).map(" ".join))
def test_quotes_over_several_units_are_verbatim_and_bounded(tmp_path_factory, blocks: list[str], question: str) -> None:  # noqa: ANN001
    """Lead-ins, code, lists, headings in any order: every span is one verbatim stretch of the source,
    its parts inside it, in order, no two citations overlap, and none shows more than the limit."""
    from index.ingest.loaders.markdown import load_markdown
    from index.query.extend import MAX_CHARS

    base: Path = tmp_path_factory.mktemp("prop-spans")
    path = base / "page.md"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    try:
        doc = load_markdown(path, "page.md")
    except Exception:  # noqa: BLE001 - a generated page with nothing to index
        return
    if not any(b.kind not in ("heading",) for b in doc.blocks):
        return  # only headings: nothing to index
    settings = Settings(index_dir=base / "index")
    embedder = FakeEmbedder()
    build_index(settings, documents=[doc], embedder=embedder)
    engine = Engine.open(settings, embedder=embedder)
    cites = engine.ask(question).citations
    for c in cites:
        assert doc.text[c.char_start : c.char_end] == c.quote
        assert c.line == doc.text.count("\n", 0, c.char_start) + 1
        assert c.last_line == doc.text.count("\n", 0, c.char_end - 1) + 1
        prev_end = c.char_start
        for p in c.parts:
            assert prev_end <= p.char_start < p.char_end <= c.char_end
            prev_end = p.char_end
        if c.parts:
            assert c.parts[0].char_start == c.char_start and c.parts[-1].char_end == c.char_end
            assert len(c.shown) <= MAX_CHARS
            assert "#" not in "".join(doc.text[a.char_end : b.char_start] for a, b in zip(c.parts, c.parts[1:], strict=False))
    for i, a in enumerate(cites):
        for b in cites[i + 1 :]:
            assert a.char_end <= b.char_start or b.char_end <= a.char_start
