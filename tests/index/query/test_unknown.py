"""Unknown words: everyday English words no indexed text uses, weighed by how rare they are."""

import pytest

from index.models.lexical import Analyzer
from index.query.foreign import content_words, foreign_words
from index.query.unknown import COMMON_ZIPF, rarity, unknown_share, unknown_words

analyzer = Analyzer()
# a docs corpus about sending requests with timeouts: no schedules, no boxes
CORPUS = set(analyzer.terms("Send a request with a Client. Set a timeout in seconds; minutes are not used. "
                            "Retry on errors. Download a file and upload it."))


def share(question: str, close=None) -> float:  # noqa: ANN001
    return unknown_share(question, CORPUS.__contains__, analyzer.terms, foreign_words(
        question, CORPUS.__contains__, analyzer.terms)[0], close)


def test_rarity_is_nothing_for_an_everyday_word_and_all_for_a_rare_one() -> None:
    assert rarity("box") == 0.0 and rarity("the") == 0.0  # as common as COMMON_ZIPF or more
    assert 0.0 < rarity("schedule") < 1.0  # between: a word a docs question turns on
    assert rarity("throttle") > rarity("schedule")
    assert rarity("aiohttp") == 1.0
    assert COMMON_ZIPF == 5.0


def test_a_near_topic_question_turning_on_a_word_the_docs_never_use_has_unknown_words() -> None:
    near = "how do I run a request every 10 minutes on a schedule?"
    words, n = unknown_words(near, CORPUS.__contains__, analyzer.terms)
    assert "schedule" in words and "request" not in words and "minutes" not in words
    assert share(near) == pytest.approx(rarity("schedule") / n) and n == 5  # run, request, every, minutes, schedule
    # its answerable twin: every word is the docs' own
    assert share("how do I set a timeout in seconds on a request?") == 0.0


def test_everyday_and_chat_words_weigh_nothing() -> None:
    # "box" and "every" are not in the corpus but are everyday English; "pls" is how a chat types
    assert share("our box needs a timeout on every request, code pls") == 0.0


def test_a_paraphrase_in_the_best_quotes_rescues_an_unknown_word() -> None:
    question = "how do I throttle a download?"
    assert share(question) > 0.0
    assert share(question, close=lambda word: word == "throttle") == 0.0  # "a quote word means nearly the same"


def test_foreign_words_are_counted_apart_not_twice() -> None:
    question = "how do I retry with aiohttp?"
    assert foreign_words(question, CORPUS.__contains__, analyzer.terms)[0] == ["aiohttp"]
    assert share(question) == 0.0


def test_content_words_skip_contraction_stubs_chat_fillers_and_letters_glued_to_numbers() -> None:
    words = [w for w, _ in content_words("why isn't http2 turned on? can it throw on 4xx lol", analyzer.terms)]
    assert "isn" not in words and "xx" not in words and "lol" not in words
    assert words == ["http2", "turned", "throw"]
    # the stub of "isn't" was counted as a foreign word before (rare in English, absent from the docs)
    assert foreign_words("why isn't http2 turned on?", lambda t: False, analyzer.terms) == (["http2"], 2)


def test_the_share_is_over_the_questions_content_words() -> None:
    assert share("what is the?") == 0.0
    one = share("schedule?")
    assert one == pytest.approx(rarity("schedule"))
    assert share("schedule a request with a timeout?") == pytest.approx(one / 3)
