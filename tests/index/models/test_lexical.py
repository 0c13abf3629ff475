"""The BM25 analyzer: identifiers are indexed whole and by their parts, on both sides alike."""

from __future__ import annotations

from index.models.lexical import Analyzer, BM25Index, identifier_parts, split_words


def test_identifier_parts_split_at_underscores_and_camel_case_humps() -> None:
    assert identifier_parts("max_connections") == ["max", "connections"]
    assert identifier_parts("ProxyRoundRobin") == ["Proxy", "Round", "Robin"]
    assert identifier_parts("HTTPTransport") == ["HTTP", "Transport"]
    assert identifier_parts("is_code") == ["is", "code"]
    assert identifier_parts("__init__") == []  # one piece: nothing to split
    assert identifier_parts("URLs") == []  # a plural acronym is one word
    assert identifier_parts("timeout") == []
    assert identifier_parts("café_au_lait") == ["café", "au", "lait"]  # non-ASCII: underscores only


def test_split_words_keeps_the_whole_identifier_before_its_parts() -> None:
    assert split_words("Limits(max_connections=10)") == ["limits", "max_connections", "max", "connections", "10"]
    assert split_words("Hello World, NASA and iPhone") == ["hello", "world", "nasa", "and", "iphone", "phone"]
    assert split_words("plain prose only") == ["plain", "prose", "only"]


def test_analyzer_terms_hold_the_parts_stemmed_and_without_stopwords() -> None:
    terms = Analyzer().terms("httpx.Limits(max_connections=10) is_code")
    assert terms[:4] == ["httpx", "limit", "max_connect", "max"]
    assert "connect" in terms and "code" in terms and "is" not in terms


def test_a_word_of_the_question_finds_an_identifier_of_the_document() -> None:
    texts = [
        "limits = httpx.Limits(max_keepalive_connections=5, max_connections=10)",
        "The connect timeout is the time to wait for a socket.",
        "Responses can be streamed in pieces.",
    ]
    index = BM25Index.build(texts)
    analyzer = Analyzer()
    scores = index.scores(analyzer.terms("how many connections at most?"))
    assert int(scores.argmax()) == 0
    # the index and the analyzer see the same terms: every term of a text is in the vocabulary
    assert all(t in index.vocab for t in analyzer.terms(texts[0]))
    # the exact identifier still scores most on the text that holds it
    exact = index.scores(analyzer.terms("max_connections"))
    assert exact[0] > 3 * exact[1]  # "connect" alone matches the timeout sentence, far less
