import pytest

from index.ingest.assemble import chunk_search_text
from index.ingest.chunking import chunk_documents
from index.models.dedup import Deduper, similar
from index.models.documents import PARAGRAPH, Block, Document
from tests.conftest import SEEDS, FakeEmbedder


def seed_doc() -> Document:
    from index.ingest.loaders import load_folder

    return load_folder(SEEDS).documents[0]


def test_chunks_and_sentences_are_exact_slices(fake_embedder: FakeEmbedder) -> None:
    doc = seed_doc()
    corpus = chunk_documents([doc], fake_embedder, max_tokens=60, overlap=1)
    for s in corpus.units:
        assert doc.text[s.start : s.end].strip() == doc.text[s.start : s.end]
    for c in corpus.chunks:
        assert c.start == corpus.units[c.first].start
        assert c.end == corpus.units[c.last - 1].end
        assert c.tokens <= 60
        assert fake_embedder.count_tokens([chunk_search_text(corpus, c)])[0] <= 60


def test_the_seed_repeated_captions_are_collapsed(fake_embedder: FakeEmbedder) -> None:
    doc = seed_doc()
    corpus = chunk_documents([doc], fake_embedder)
    texts = [doc.text[s.start : s.end] for s in corpus.units]
    assert corpus.duplicates == 2
    assert sum(t.startswith("Fousseynou Cissé, 39") for t in texts) == 1
    assert sum(t.startswith("Footage shows him") for t in texts) == 1
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not similar(a, b)


def test_chunks_never_span_a_collapsed_duplicate(fake_embedder: FakeEmbedder) -> None:
    text = "Alpha beta gamma delta one.\nUnique words appear here now.\nAlpha beta gamma delta one.\nLast line stands alone."
    corpus = chunk_documents([Document("d", text)], fake_embedder, max_tokens=100)
    assert corpus.duplicates == 1
    chunk_texts = [text[c.start : c.end] for c in corpus.chunks]
    assert chunk_texts == ["Alpha beta gamma delta one.\nUnique words appear here now.", "Last line stands alone."]


def test_overlap_shares_sentences_between_neighbours(fake_embedder: FakeEmbedder) -> None:
    text = " ".join(f"Sentence {i} has exactly six words." for i in range(12))
    corpus = chunk_documents([Document("d", text)], fake_embedder, max_tokens=20, overlap=1)
    assert len(corpus.chunks) > 3
    for a, b in zip(corpus.chunks, corpus.chunks[1:], strict=False):
        assert b.first == a.last - 1  # one sentence shared
    covered = set()
    for c in corpus.chunks:
        covered.update(range(c.first, c.last))
    assert covered == set(range(len(corpus.units)))


def test_an_over_long_sentence_is_cut_at_whitespace(fake_embedder: FakeEmbedder) -> None:
    text = " ".join(f"word{i}" for i in range(300)) + "."
    corpus = chunk_documents([Document("d", text)], fake_embedder, max_tokens=128)
    assert len(corpus.units) == 3
    assert all(s.tokens <= 128 for s in corpus.units)
    assert " ".join(text[s.start : s.end] for s in corpus.units) == text


def test_an_over_long_sentence_leaves_no_stub(fake_embedder: FakeEmbedder) -> None:
    """140 words at a budget of 128: not 128 and a 12-word stub quoted on its own, but as long a first
    piece as leaves a last piece of a quarter of the budget (32 words)."""
    text = " ".join(f"word{i}" for i in range(139)) + " end):"
    corpus = chunk_documents([Document("d", text)], fake_embedder, max_tokens=128)
    sizes = [len(text[s.start : s.end].split()) for s in corpus.units]
    assert sizes == [108, 32]
    assert " ".join(text[s.start : s.end] for s in corpus.units) == text


def test_cuts_stay_greedy_unless_the_last_piece_is_a_stub(fake_embedder: FakeEmbedder) -> None:
    from index.ingest.chunking import even_cuts

    for n in (129, 160, 200, 256, 257, 300, 385, 1000):
        text = " ".join(f"w{i}" for i in range(n))
        greedy = fake_embedder.token_cuts(text, 128)
        cuts = even_cuts(fake_embedder, text, n, 128)
        assert len(cuts) == len(greedy)
        bounds = [0, *cuts, len(text)]
        sizes = [len(text[a:b].split()) for a, b in zip(bounds, bounds[1:], strict=False)]
        assert max(sizes) <= 128 and sizes[-1] >= 32, (n, sizes)
        if n - 128 * len(greedy) >= 32:  # the greedy last piece is long enough: kept as it is
            assert cuts == greedy, (n, sizes)


def test_context_is_prepended_for_embedding_only(fake_embedder: FakeEmbedder) -> None:
    text = "# Install\n\nRun the installer. Then restart.\n"
    doc = Document("a.md", text, [Block(PARAGRAPH, 11, len(text) - 1, context="Install")])
    corpus = chunk_documents([doc], fake_embedder)
    (chunk,) = corpus.chunks
    assert text[chunk.start : chunk.end] == "Run the installer. Then restart."
    assert chunk_search_text(corpus, chunk) == "Install\nRun the installer. Then restart."


@pytest.mark.model
def test_chunks_fit_the_real_tokenizer_budget(real_embedder) -> None:  # noqa: ANN001
    doc = seed_doc()
    long_doc = Document("long.txt", " ".join([doc.text.replace("\n", " ")] * 3))
    corpus = chunk_documents([doc, long_doc], real_embedder, max_tokens=128, overlap=1)
    texts = [chunk_search_text(corpus, c) for c in corpus.chunks]
    for n in real_embedder.count_tokens(texts):
        assert n <= 128


def test_deduper_exact_near_and_short() -> None:
    d = Deduper()
    assert d.seen("The cat sat on the warm mat today.", 1) is None
    assert d.seen("the cat sat on the warm mat today", 2) == 1  # exact after normalizing
    assert d.seen("The cat sat on the very warm mat today.", 3) == 1  # near duplicate
    assert d.seen("A completely different sentence about dogs.", 4) is None
    assert d.seen("Results.", 5) is None and d.seen("Results.", 6) is None  # too short to collapse


def test_code_blocks_collapse_only_when_the_same(fake_embedder: FakeEmbedder) -> None:
    """Two examples that differ in one token are two examples (httpx: ``all://*example.com`` routes
    the domain and its subdomains, ``all://*.example.com`` only the subdomains); prose near-duplicates
    still collapse, and so does a repeated identical code block."""
    from index.models.documents import CODE

    a = 'mounts = {\n    "all://*example.com": httpx.HTTPTransport(proxy="http://localhost:8030"),\n}'
    b = 'mounts = {\n    "all://*.example.com": httpx.HTTPTransport(proxy="http://localhost:8030"),\n}'
    text = f"{a}\n\n{b}\n\n{a}\n"
    blocks = [Block(CODE, 0, len(a)), Block(CODE, len(a) + 2, len(a) + 2 + len(b)),
              Block(CODE, len(a) + len(b) + 4, len(a) + len(b) + 4 + len(a))]
    corpus = chunk_documents([Document("t.md", text, blocks)], fake_embedder)
    assert [text[u.start : u.end] for u in corpus.units] == [a, b]
    assert corpus.duplicates == 1
    assert Deduper().seen(a, 0, near=False) is None
