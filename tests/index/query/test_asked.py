"""What value a question asks for (a year, a version, a count) and whether a quote holds one."""

from index.query.asked import asked_value, asks_whether, counted_words, holds_value, uncounted, unvalued


def test_the_wording_fixes_the_kind_of_value() -> None:
    assert asked_value("what year was httpx first released?") == "year"
    assert asked_value("since which version is verify= deprecated?") == "version"
    assert asked_value("what python version do i need?") == "version"
    assert asked_value("when was the retries option added?") == "date"
    assert asked_value("how many connections does the pool keep?") == "number"
    assert asked_value("what's the default max number of redirects?") == "number"
    # a situation, a manner, a reason: no value asked for
    assert asked_value("when should I use a Client?") is None
    assert asked_value("when is it worth using a Session?") is None
    assert asked_value("how do I stream a download?") is None
    assert asked_value("what version of the docs is this?") is None


def test_a_measure_asks_for_a_number() -> None:
    assert asked_value("what's the interval between keep-alive pings?") == "number"
    assert asked_value("how often does the pool check idle connections?") == "number"
    assert asked_value("what's the maximum size of response headers it allows?") == "number"
    assert asked_value("what's the max url length requests supports?") == "number"
    # an extreme that names a thing, a setting one sets: no number asked for
    assert asked_value("what's the largest city in Poland?") is None
    assert asked_value("how do I set the maximum connections?") is None
    # the twin answered: a quote holding the measure keeps it; one without it is unvalued
    asked = "what's the interval between keep-alive pings?"
    assert unvalued(asked, ["Pings are sent every 20 seconds."]) == 0.0
    assert unvalued(asked, ["await websocket.send_text(data)"]) == 1.0


def test_a_quote_holds_a_value_of_the_kind() -> None:
    assert holds_value("number", "The pool holds up to 10.")
    assert holds_value("number", "limits = httpx.Limits(max_connections=10)")
    assert holds_value("number", "it tries two times")
    # digits inside names and versions are not counts
    assert not holds_value("number", "urllib3 speaks HTTP/1.1 and http2")
    assert not holds_value("number", "pip install requests==2.31.0.")
    assert holds_value("year", "First released in 2019.")
    assert not holds_value("year", "fully removed with the HTTPX 1.0 release; see #1006")
    assert holds_value("version", "Deprecated since 0.28.")
    assert holds_value("date", "Released on 12 March.")


def test_unvalued_when_no_best_quote_holds_the_value() -> None:
    assert unvalued("how many github stars does it have?", ["Requests is an elegant HTTP library."]) == 1.0
    assert unvalued("how many retries by default?", ["It retries 3 times.", "Nothing here."]) == 0.0
    assert unvalued("what year was it released?", ["It is expected with the 1.0 release."]) == 1.0
    assert unvalued("how do I stream?", ["Use stream()."]) == 0.0  # no value asked
    assert unvalued("how many?", []) == 0.0  # no quote: the other evidence decides


def test_the_words_naming_what_a_how_many_question_counts() -> None:
    assert counted_words("how many github stars does requests have lol") == ["github", "stars"]
    assert counted_words("How many British oil paintings does the museum have?") == ["British", "oil", "paintings"]
    assert counted_words("how many connections can a pool hold?") == ["connections"]
    # generic units and "how many of the six ..." name nothing to look for
    assert counted_words("how many times does it retry?") == []
    assert counted_words("how many of the six packages were sold?") == []
    assert counted_words("what's the default max number of redirects?") == []


def test_a_count_of_a_thing_the_corpus_never_names_is_unvalued() -> None:
    vocabulary = {"github", "connect", "pool", "kg", "rock"}

    def named(word: str) -> bool:
        from index.models.lexical import Analyzer

        return any(t in vocabulary for t in Analyzer().terms(word))

    assert uncounted("how many github stars does requests have?", named)  # "star" is in no text
    quote = ["GitHub does though:: requests.get('https://github.com') <Response [200]>"]
    assert unvalued("how many github stars does requests have?", quote, named) == 1.0
    # its answerable twin: the counted thing is named, the quote holds a number
    assert not uncounted("how many connections does the pool keep?", named)
    assert unvalued("how many connections does the pool keep?", ["The pool keeps 10 connections."], named) == 0.0
    # an abbreviation's plural counts as named ("kgs" where the docs write "kg")
    assert not uncounted("how many kgs of moon rocks came back?", named)
    # without the corpus's words, only the quotes' values decide
    assert unvalued("how many github stars does requests have?", quote) == 0.0


def test_a_quote_word_close_to_the_counted_thing_keeps_the_count() -> None:
    # "how many people" of a story that says "ten residents": the word differs, the meaning is close
    def named(word: str) -> bool:
        return word.lower() not in {"people", "stars", "star"}

    def close(word: str, quotes: list[str]) -> bool:
        return word == "people" and any("residents" in q for q in quotes)

    quotes = ["Ten residents were taken to hospital."]
    assert not uncounted("How many people were taken to hospital?", named, close, quotes)
    assert unvalued("How many people were taken to hospital?", quotes, named, close) == 0.0
    # nothing in the quote is close to "stars": still a count of a thing the docs never name
    assert uncounted("how many stars does it have?", named, close, ["GitHub does though: <Response [200]>"])


def test_a_question_asking_whether_opens_with_an_auxiliary_verb() -> None:
    for q in ("can griffe parse epytext docstrings", "Is there a gitlab ci example?", "does it support yaml",
              "so, are there type stubs", "hey can i sample debug logs", "Should I pin the version?"):
        assert asks_whether(q), q
    for q in ("how do i run griffe check as a pre-commit hook", "what is a transport", "why does it hang",
              "which version added it", "candidates are ranked how?", "docs for the client"):
        assert not asks_whether(q), q
