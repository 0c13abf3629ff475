"""Foreign words: not in the corpus and rare in English."""

from index.models.lexical import Analyzer
from index.query.foreign import content_words, foreign_share, foreign_words, zipf


def test_english_frequencies_come_from_wordfreq() -> None:
    assert zipf("the") > 7
    assert 4 < zipf("session") < 6
    assert zipf("aiohttp") == 0.0
    assert zipf("Session") == zipf("session")


def test_a_foreign_word_is_absent_from_the_corpus_and_rare_in_english() -> None:
    analyzer = Analyzer()
    corpus = set(analyzer.terms("Send requests with a Client; sessions, proxies and timeouts."))
    words, n = foreign_words("how do i register middlewares on an aiohttp web.Application?",
                             corpus.__contains__, analyzer.terms)
    assert "aiohttp" in words and "middlewares" in words
    assert "register" not in words  # not in the corpus, but common English
    assert "web.application" not in words  # its parts are common English
    assert n == 4  # register, middlewares, aiohttp, web.application (stopwords do not count)
    # a word the corpus uses is never foreign, however rare it is in English
    assert foreign_words("are proxies and timeouts supported?", corpus.__contains__, analyzer.terms)[0] == []


def test_the_share_is_over_content_words() -> None:
    analyzer = Analyzer()
    assert foreign_share("what is the?", lambda t: False, analyzer.terms) == 0.0  # no content word
    assert foreign_share("django setup", lambda t: False, analyzer.terms) == 0.5  # "setup" is common English
    # a name (capitalized, not opening the question) the corpus lacks is foreign even if common English
    assert foreign_words("who wrote Pride and Prejudice?", lambda t: False, analyzer.terms)[0] == ["pride", "prejudice"]
    assert foreign_words("Pride matters", lambda t: False, analyzer.terms)[0] == []


def test_a_hyphenated_name_is_foreign_by_its_unseen_parts() -> None:
    analyzer = Analyzer()
    corpus = set(analyzer.terms("requests sends uploads; user agent header"))
    words, _ = foreign_words("how do I use requests-toolbelt's encoder?", corpus.__contains__, analyzer.terms)
    assert "requests-toolbelt's" in words or "requests-toolbelt" in words
    assert foreign_words("set the user-agent header", corpus.__contains__, analyzer.terms)[0] == []
    # an address is not a word of the question
    assert foreign_words("call https://api.mycompany.com", corpus.__contains__, analyzer.terms)[0] == []


def test_code_names_are_identifiers_and_flags_not_addresses_nor_denied_names() -> None:
    from index.query.foreign import code_names

    assert code_names("pin it with urllib3's assert_fingerprint?") == ["assert_fingerprint"]
    assert code_names("like curl --resolve?") == ["--resolve"]
    assert code_names("mount on an aiohttp web.Application?") == ["web.Application"]
    assert code_names("tired of repeating https://api.mycompany.com, ?page=2&per_page=50") == []
    assert code_names("there's no requests.propfind(). how do i send PROPFIND?") == []
    assert code_names("does httpx support HTTP/3 / QUIC yet?") == ["HTTP/3"]
    assert code_names("open 24/7, see https://example.org/v/2, and/or 1/2") == []


def test_unseen_code_share_counts_names_the_corpus_never_writes() -> None:
    from index.query.foreign import corpus_code_names, unseen_code_share

    analyzer = Analyzer()
    docs = ["Call `httpx.get()` or use `Client(timeout=5)`.", "Run it with --verbose."]
    terms = {t for d in docs for t in analyzer.terms(d)}
    names = set(corpus_code_names(docs))
    assert {"httpx.get", "--verbose"} <= names

    def share(q: str) -> float:
        return unseen_code_share(q, terms.__contains__, analyzer.terms, lambda n: n.lower() in names)

    assert share("why call httpx.get() and not a Client?") == 0.0
    assert share("how do i pass --verbose?") == 0.0
    assert share("how do i set assert_fingerprint?") == 1.0
    assert share("like curl --resolve?") == 1.0
    assert share("does httpx.get take assert_fingerprint?") == 0.5
    assert share("how do i stream?") == 0.0  # names none
    # a name in a remark beside the question counts half
    assert share("which property says 2xx? requests has response.is_ok") == 0.5


def test_a_protocol_version_the_corpus_never_writes_is_an_unseen_code_name() -> None:
    from index.query.foreign import corpus_code_names, unseen_code_share

    analyzer = Analyzer()
    docs = ["HTTPX supports both HTTP/1.1 and HTTP/2.", "Install httpx[http2]."]
    terms = {t for d in docs for t in analyzer.terms(d)}
    names = set(corpus_code_names(docs))
    assert {"http/1.1", "http/1", "http/2"} <= names

    def share(q: str) -> float:
        return unseen_code_share(q, terms.__contains__, analyzer.terms, lambda n: n.lower() in names)

    assert share("does httpx support HTTP/3 yet?") == 1.0
    # its answerable twins: versions the docs write, or cover ("HTTP/1" where they write "HTTP/1.1")
    assert share("does httpx support HTTP/2 yet?") == 0.0
    assert share("is HTTP/1 the default?") == 0.0


def test_a_question_framed_in_a_tool_the_corpus_never_mentions() -> None:
    from index.query.foreign import framed_elsewhere

    assert framed_elsewhere("in flask, how do i read the body?", ["flask"]) == 1.0
    assert framed_elsewhere("with aiohttp should i reuse a session?", ["aiohttp"]) == 1.0
    assert framed_elsewhere("how do i click with selenium's driver?", ["selenium"]) == 1.0
    # "the cleanest way" names no tool, and a foreign word elsewhere frames nothing
    assert framed_elsewhere("what's the cleanest way to throttle?", ["cleanest"]) == 0.0
    assert framed_elsewhere("is aiohttp faster?", ["aiohttp"]) == 0.0
    assert framed_elsewhere("in flask, how?", []) == 0.0


def test_content_words_skip_contraction_stubs_chat_fillers_and_letters_glued_to_numbers() -> None:
    analyzer = Analyzer()
    words = [w for w, _ in content_words("why isn't http2 turned on? can it throw on 4xx lol", analyzer.terms)]
    assert "isn" not in words and "xx" not in words and "lol" not in words
    assert words == ["http2", "turned", "throw"]
    # the stub of "isn't" was counted as a foreign word (rare in English, absent from the docs); "thx" too
    assert foreign_words("why isn't http2 turned on?", lambda t: False, analyzer.terms) == (["http2"], 2)
    assert foreign_words("which IP did it go to? code plz thx", lambda t: t not in ("plz", "thx"), analyzer.terms)[0] == []
