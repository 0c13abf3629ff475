"""The asker's own addresses: a URL the docs never write is searched as "URL" (``index.query.addresses``)."""

from __future__ import annotations

from index.ingest.builder import build_index
from index.models.lexical import Analyzer
from index.query.addresses import host_words, own_addresses, searched_text
from index.query.engine import Engine
from index.query.records import RetrievalParams
from index.settings import Settings

STEM = Analyzer().terms
CORPUS = {t for w in ("proxy", "client", "httpbin", "localhost", "github", "api") for t in STEM(w)}


def in_corpus(term: str) -> bool:
    return term in CORPUS


def test_host_words_leave_out_scheme_port_path_and_generic_parts() -> None:
    assert host_words("https://api.mycompany.com:8443/v1/users") == ["api", "mycompany"]
    assert host_words("http://proxy.corp:3128") == ["proxy", "corp"]
    assert host_words("https://www.example.org") == ["example"]
    assert host_words("http://user@10.0.0.1:80") == []


def test_an_address_is_the_askers_own_when_a_host_word_is_not_in_the_corpus() -> None:
    q = "point my client at (http://proxy.corp:3128), not https://httpbin.org/get or api.github.com/users?"
    assert own_addresses(q, in_corpus, STEM) == ["http://proxy.corp:3128"]
    assert own_addresses("tired of repeating https://api.mycompany.com, every call", in_corpus, STEM) == [
        "https://api.mycompany.com"
    ]
    assert own_addresses("why does http://localhost:8000/ fail?", in_corpus, STEM) == []
    assert own_addresses("how do I set a proxy?", in_corpus, STEM) == []


def test_searched_text_replaces_only_own_addresses_and_can_be_off() -> None:
    q = "can I set https://api.mycompany.com once, like https://httpbin.org?"
    assert searched_text(q, in_corpus, STEM, "URL") == "can I set URL once, like https://httpbin.org?"
    assert searched_text(q, in_corpus, STEM, "") == q


PAGES = {
    "clients.md": "# Clients\n\nThe `base_url` parameter allows you to prepend an URL to all outgoing requests.\n",
    "examples.md": "# Examples\n\n```python\nr = client.get('https://example.com/api/v1/items')\n"
                   "r = client.get('https://example.com/api/v1/users')\nr = client.post('https://example.com/api/v1/users')\n```\n",
    "timeouts.md": "# Timeouts\n\nA request that takes longer than five seconds raises a timeout error.\n",
}


def test_the_passage_that_names_the_address_is_retrieved_first(tmp_path, real_embedder) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in PAGES.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(docs_dir=docs, index_dir=tmp_path / "index", abstain_threshold=0.0)
    build_index(settings, embedder=real_embedder)
    question = "tired of repeating https://api.mycompany.com/v1 in every call, can I set it once?"
    first = {}
    for word in ("URL", ""):
        engine = Engine.open(settings, embedder=real_embedder, retrieval=RetrievalParams(own_address=word))
        state = engine.retrieve(question)
        assert ("mycompani" in state.q_terms) == (word == "")
        first[word] = engine.backend.document(engine.backend.chunk(int(state.hits.chunks[0])).doc).source
    assert first == {"URL": "clients.md", "": "examples.md"}
