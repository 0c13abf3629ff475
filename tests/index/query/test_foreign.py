"""Foreign words: not in the corpus and rare in English."""

from index.models.lexical import Analyzer
from index.query.foreign import foreign_share, foreign_words, zipf


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
