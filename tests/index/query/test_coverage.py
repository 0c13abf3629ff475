"""Weakest-link coverage: the question's least covered unused word against its closest units' tokens."""

from __future__ import annotations

import numpy as np
import pytest

from index.models.embeddings import Tokens
from index.query import abstain
from index.query.abstain import Evidence
from index.query.coverage import (
    K,
    clips,
    closest_units,
    misspells,
    question_uncovered,
    uncovered,
    unused_words,
    words,
)
from index.query.features import FeatureRows
from index.query.quotes import SENTENCE_FEATURES
from index.query.state import QueryState

AXES = {"timeout": 0, "client": 1, "mistune": 2, "the": 3, "pool": 4, "csrf": 5, "diagram": 6}


def tokens(*pieces: str, near: dict[str, float] | None = None) -> Tokens:
    """One unit vector per piece on its word's axis ("##" pieces on their own); ``near[w] = c``: the
    piece's vector has cosine c with the axis of ``w`` (the rest on an axis of its own)."""
    dim = len(AXES) + 8
    rows = []
    for k, p in enumerate(pieces):
        v = np.zeros(dim, dtype=np.float32)
        axis = AXES.get(p)
        if near and p in near:
            v[AXES[p]] = near[p]
            v[len(AXES) + k % 8] = np.sqrt(1 - near[p] ** 2)
        elif axis is None:
            v[len(AXES) + k % 8] = 1.0
        else:
            v[axis] = 1.0
        rows.append(v)
    return Tokens(list(pieces), np.stack(rows) if rows else np.zeros((0, dim), np.float32))


def test_word_pieces_are_joined_back_into_words() -> None:
    assert words(["can", "a", "mer", "##maid", "diagram", "-", "x", "?"]) == [
        ("can", [0]), ("a", [1]), ("mermaid", [2, 3]), ("diagram", [4]), ("-", [5]), ("x", [6]), ("?", [7])]
    assert words(["##ab", "c"]) == [("##ab", [0]), ("c", [1])]  # a stray continuation opens a word


def test_unused_words_are_rare_content_words_the_corpus_never_uses_outside_addresses() -> None:
    corpus = {"werkzeug", "forms"}

    def used(w: str) -> bool:
        return w in corpus

    pieces = ["does", "werk", "##zeug", "have", "cs", "##rf", "protection", "for", "forms", "built", "in"]
    # "csrf" is rare in English and unused; "protection", "built" are common words ("how people talk")
    assert [w for w, _ in unused_words("q", pieces, used)] == ["csrf"]
    assert unused_words("q", pieces, lambda w: True) == []
    # a word of the asker's own address does not count ("mycompany" of https://api.mycompany.com)
    q = "tired of repeating https://api.mycompany.com in every call"
    assert [w for w, _ in unused_words(q, ["my", "##com", "##pan", "##y"], used)] == []
    assert [w for w, _ in unused_words("use mycompany", ["my", "##com", "##pan", "##y"], used)] == ["mycompany"]
    # stopwords, punctuation and numbers never count
    assert unused_words("q", ["the", "?", "3128"], used) == []


def test_a_misspelling_of_a_word_the_neighbours_write_is_that_word() -> None:
    texts = ["Corruption is fought by the commission.", "The time frame of the war."]
    assert misspells("coruption", texts) and misspells("Framd", texts)
    assert not misspells("mistune", ["mistakes are common in markdown"])
    assert not misspells("csrf", ["the csr request"])  # short words: one edit is another name
    assert not misspells("coruption", [])


def test_a_clipping_of_a_longer_word_the_neighbours_write_is_that_word() -> None:
    texts = ["Set the environment variables HTTP_PROXY and HTTPS_PROXY.", "Pass your credentials."]
    assert clips("env", texts) and clips("vars", texts) and clips("Creds", texts)
    assert not clips("epytext", texts)  # it opens no word of theirs
    assert not clips("yaml", ["the yamls"])  # a longer word by less than a syllable: an inflection, not a clipping
    assert not clips("ci", ["circle ci and a cipher"])  # too short to be a clipping
    assert not clips("proxy", texts)  # the same word is the misspelling check's and the corpus's, not a clipping
    assert not clips("env", [])


def test_uncovered_is_one_minus_the_least_covered_chosen_word() -> None:
    q = tokens("the", "mistune", "diagram")
    # "mistune" matched exactly in a unit: covered
    assert uncovered(q, [tokens("client"), tokens("mistune", "pool")], [[1]]) == pytest.approx(0.0)
    # matched at 0.6 by the best unit token
    assert uncovered(q, [tokens("mistune", near={"mistune": 0.6})], [[1]]) == pytest.approx(0.4)
    # two chosen words: the worse one decides; a word of two pieces: the mean of its pieces
    assert uncovered(q, [tokens("diagram")], [[1], [2]]) == pytest.approx(1.0)
    assert uncovered(q, [tokens("diagram")], [[1, 2]]) == pytest.approx(0.5)


def test_nothing_to_compare_is_not_evidence() -> None:
    assert uncovered(tokens("csrf"), [tokens("client")], []) == 0.0
    assert uncovered(tokens(), [tokens("client")], [[0]]) == 0.0
    assert uncovered(tokens("csrf"), [], [[0]]) == 0.0
    assert uncovered(tokens("csrf"), [tokens()], [[0]]) == 0.0


def rows_state(question: str, cos: list[float], units: list[int]) -> QueryState:
    s = QueryState(question)
    base = dict.fromkeys(SENTENCE_FEATURES, 0.0)
    s.rows = FeatureRows.from_dicts(SENTENCE_FEATURES, [base | {"cos": c} for c in cos])
    s.meta = [(u, 0) for u in units]
    return s


def test_closest_units_are_the_k_best_by_cosine_distinct_and_without_excluded() -> None:
    s = rows_state("q", [0.2, 0.9, 0.5, 0.9, 0.7], [1, 2, 3, 2, 4])
    assert closest_units(s, 3) == [2, 4, 3]
    assert closest_units(s, 3, exclude={2}) == [4, 3, 1]
    assert closest_units(QueryState("q"), 3) == []
    many = rows_state("q", [1.0 - i / 100 for i in range(20)], list(range(20)))
    assert closest_units(many) == list(range(K))


class Backend:
    def __init__(self, displays: dict[int, str], vocabulary: set[str]) -> None:
        self.displays = displays
        self.vocabulary = vocabulary

    def unit_display(self, i: int) -> str:
        return self.displays[i]

    def idf(self, term: str) -> float:
        return 1.0 if term in self.vocabulary else 9.0


class Texts:
    def terms(self, text: str) -> list[str]:
        from index.models.lexical import Analyzer

        return Analyzer().terms(text)


class Ctx:
    """What ``question_uncovered`` reads: the backend (display texts, IDF), the analyzer, token states."""

    def __init__(self, displays: dict[int, str], states: dict[str, Tokens], vocabulary: set[str] = frozenset()) -> None:
        self.backend = Backend(displays, vocabulary)
        self.texts = Texts()
        self.asked: list[list[str]] = []
        self.states = states

    def token_states(self, texts: list[str]) -> list[Tokens]:
        self.asked.append(texts)
        return [self.states[t] for t in texts]


QUESTION = "client mistune?"
DISPLAYS = {7: "its client", 8: "client pool", 9: "the timeout"}  # 7 covers "mistune" in its states only
STATES = {QUESTION: tokens("client", "mistune"), DISPLAYS[7]: tokens("mistune", "client"),
          DISPLAYS[8]: tokens("client", "pool"), DISPLAYS[9]: tokens("the", "timeout")}


def test_question_uncovered_reads_the_closest_units_and_leaves_out_the_excluded_one() -> None:
    ctx = Ctx(DISPLAYS, STATES, vocabulary={"client", "pool", "timeout"})
    s = rows_state(QUESTION, [0.9, 0.8, 0.1], [7, 8, 9])
    assert question_uncovered(ctx, s) == pytest.approx(0.0)
    assert ctx.asked == [[QUESTION], [DISPLAYS[7], DISPLAYS[8], DISPLAYS[9]]]  # the question, then its units
    # a pseudo-question made from unit 7 must not be covered by unit 7 itself
    assert question_uncovered(ctx, s, exclude={7}) == pytest.approx(1.0)
    assert DISPLAYS[7] not in ctx.asked[-1]


def test_a_misspelled_unused_word_is_not_evidence() -> None:
    question = "client mistunes?"
    displays = {7: "the mistune client", 8: "client pool"}
    states = {question: tokens("client", "mistunes"), displays[7]: tokens("the", "mistune", "client"),
              displays[8]: tokens("client", "pool")}
    ctx = Ctx(displays, states, vocabulary={"client", "pool"})
    s = rows_state(question, [0.9, 0.8], [7, 8])
    assert question_uncovered(ctx, s) == 0.0  # "mistunes" ~ "mistune" of unit 7
    assert question_uncovered(ctx, s, exclude={7}) == pytest.approx(1.0)  # not written near: uncovered


def test_a_clipped_unused_word_is_not_evidence() -> None:
    question = "client env?"
    displays = {7: "the environment client", 8: "client pool"}
    states = {question: tokens("client", "env"), displays[7]: tokens("the", "timeout", "client"),
              displays[8]: tokens("client", "pool")}
    ctx = Ctx(displays, states, vocabulary={"client", "pool", "environ"})
    s = rows_state(question, [0.9, 0.8], [7, 8])
    assert question_uncovered(ctx, s) == 0.0  # "env" opens "environment" of unit 7
    assert question_uncovered(ctx, s, exclude={7}) == pytest.approx(1.0)


def test_a_question_without_unused_words_reads_no_unit_states() -> None:
    ctx = Ctx(DISPLAYS, STATES, vocabulary={"client", "mistun"})  # the corpus uses every word (stemmed terms)
    s = rows_state(QUESTION, [0.9, 0.8, 0.1], [7, 8, 9])
    assert question_uncovered(ctx, s, exclude={7}) == 0.0
    assert ctx.asked == [[QUESTION]]


def test_no_token_states_no_evidence() -> None:
    class Bare:
        backend = Backend({1: "x"}, set())

    class Refusing(Ctx):
        def token_states(self, texts: list[str]) -> list[Tokens]:
            raise NotImplementedError

    s = rows_state(QUESTION, [0.9], [1])
    assert question_uncovered(Bare(), s) == 0.0
    assert question_uncovered(Refusing({1: "x"}, {}), s) == 0.0
    assert question_uncovered(Ctx({}, {}), QueryState(QUESTION)) == 0.0  # no candidate rows


def test_the_score_pays_for_an_uncovered_word_only_past_the_margin() -> None:
    base = Evidence(0.8, 0.4)
    assert Evidence(0.8, 0.4, uncovered=abstain.UNCOVERED_FROM).score == pytest.approx(base.score)
    assert Evidence(0.8, 0.4, uncovered=0.1).score == pytest.approx(base.score)
    more = abstain.UNCOVERED_FROM + 0.2
    assert Evidence(0.8, 0.4, uncovered=more).score == pytest.approx(base.score - abstain.UNCOVERED * 0.2)


def test_a_question_asking_whether_pays_more_for_an_uncovered_word_and_from_a_lower_gap() -> None:
    gap = abstain.ASK_FROM + 0.1  # under UNCOVERED_FROM: only a question asking whether pays
    assert abstain.ASK_FROM < abstain.UNCOVERED_FROM
    how, whether = Evidence(0.8, 0.4, uncovered=gap), Evidence(0.8, 0.4, uncovered=gap, whether=1.0)
    assert how.score == pytest.approx(Evidence(0.8, 0.4).score)
    assert whether.score == pytest.approx(how.score - abstain.ASK * 0.1)
    assert Evidence(0.8, 0.4, whether=1.0).score == pytest.approx(Evidence(0.8, 0.4).score)  # nothing uncovered


def test_a_threshold_calibrated_for_an_earlier_score_is_not_reused() -> None:
    for old in ("evidence-v7", "evidence-v8"):
        assert old != abstain.SCORE
        assert abstain.stored(type("M", (), {"abstention": {"score": old, "threshold": 0.5}})()) is None


def test_with_the_real_model_a_feature_the_docs_lack_is_uncovered_and_a_paraphrase_is_not(real_embedder) -> None:  # noqa: ANN001
    """Contextual token states of the real model: an unused word the units paraphrase is covered better
    than one they say nothing about."""
    units = ["Fenced code blocks are rendered with syntax highlighting by the codehilite extension.",
             "The toc extension builds a table of contents from the document's headings.",
             "Tables are written with pipes and a header row."]
    unit_states = real_embedder.token_states(units)
    q_tables, q_mistune = real_embedder.token_states(["can I write tabular data with pipes?",
                                                      "is it faster than mistune at rendering fenced code?"])

    def word(q: Tokens, name: str) -> list[list[int]]:
        return [idx for w, idx in words(q.pieces) if w == name]

    assert word(q_tables, "tabular") and word(q_mistune, "mistune")
    covered = uncovered(q_tables, unit_states, word(q_tables, "tabular"))
    lacking = uncovered(q_mistune, unit_states, word(q_mistune, "mistune"))
    assert covered + 0.15 < lacking
    assert lacking > abstain.UNCOVERED_FROM
