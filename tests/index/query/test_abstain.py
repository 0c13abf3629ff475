"""The abstain decision: the evidence score, and which threshold applies."""

from dataclasses import replace

import pytest

from index.query.abstain import SCORE, Evidence, abstains, close_word, evidence, stored, threshold
from index.query.features import FeatureRows
from index.query.quotes import SENTENCE_FEATURES
from index.query.records import Candidate, QuoteParams
from index.query.state import QueryState


class Manifest:
    def __init__(self, abstention: dict | None = None) -> None:
        if abstention is not None:
            self.abstention = abstention


class Backend:
    def __init__(self, manifest: Manifest, vocabulary: set[str] = frozenset(), displays: dict[int, str] | None = None) -> None:
        self.manifest = manifest
        self.vocabulary = vocabulary
        self.displays = displays or {}

    def unit_display(self, i: int) -> str:
        return self.displays.get(i, "")

    def idf(self, term: str) -> float:
        return 1.0 if term in self.vocabulary else 9.0


class Texts:
    def terms(self, text: str) -> list[str]:
        from index.models.lexical import Analyzer

        return Analyzer().terms(text)


class Encoder:
    """Every word its own direction: no two different words are close."""

    def encode_many(self, texts: list[str]):  # noqa: ANN201
        import numpy as np

        return np.eye(len(texts), dtype=np.float32)


class Ctx:
    def __init__(self, manifest: Manifest, abstain_below: float | None = None, vocabulary: set[str] = frozenset(),
                 displays: dict[int, str] | None = None) -> None:
        self.backend = Backend(manifest, vocabulary, displays)
        self.texts = Texts()
        self.encoder = Encoder()
        self.quotes = QuoteParams()
        self.abstain_below = abstain_below


def rows(cos: list[float], lex: list[float]) -> FeatureRows:
    base = dict.fromkeys(SENTENCE_FEATURES, 0.0)
    return FeatureRows.from_dicts(SENTENCE_FEATURES, [base | {"cos": c, "lex": x} for c, x in zip(cos, lex, strict=True)])


def state(question: str, cos: list[float], lex: list[float]) -> QueryState:
    s = QueryState(question)
    s.rows = rows(cos, lex)
    s.meta = [(10 + i, 0) for i in range(len(cos))]
    s.candidates = [Candidate(10 + i, 1.0 / len(cos), c, x, 0.0) for i, (c, x) in enumerate(zip(cos, lex, strict=True))]
    return s


def test_the_score_weighs_cosine_lexical_share_and_foreign_words() -> None:
    assert Evidence(0.6, 0.4).score == pytest.approx(0.8)
    assert Evidence(0.6, 0.4, foreign=0.5).score == pytest.approx(0.55)


def test_evidence_is_the_best_unit_and_leaves_out_excluded_units() -> None:
    ctx = Ctx(Manifest(), vocabulary={"timeout", "client"})
    s = state("client timeout?", [0.9, 0.5], [0.2, 0.7])
    assert evidence(ctx, s) == Evidence(0.9, 0.7, 0.0)
    assert Evidence(0.6, 0.4, unvalued=1.0, unseen_code=0.5, framed=1.0).score == pytest.approx(0.8 - 0.5 - 0.175 - 0.3)
    assert evidence(ctx, s, exclude={10}) == Evidence(0.5, 0.7, 0.0)
    assert evidence(ctx, s, exclude={10, 11}) == Evidence()
    # "aiohttp" is in no indexed text and rare in English: one of two content words is foreign
    assert evidence(ctx, state("aiohttp timeout?", [0.9], [0.5])).foreign == pytest.approx(0.5)
    # so is a name the corpus never mentions, however common the word
    assert evidence(ctx, state("who wrote Pride and Prejudice?", [0.3], [0.3])).foreign == pytest.approx(2 / 3)


def test_the_threshold_is_the_setting_then_the_calibration_then_the_fallback() -> None:
    calibrated = Manifest({"score": SCORE, "threshold": 0.62, "bank": 250})
    assert threshold(Ctx(calibrated)) == 0.62
    assert threshold(Ctx(calibrated, abstain_below=0.4)) == 0.4
    assert threshold(Ctx(Manifest({}))) == QuoteParams().abstain_below == 0.30  # an index built before calibration
    assert threshold(Ctx(Manifest())) == 0.30  # a backend whose manifest has no such field
    # a threshold calibrated for another score is not used
    assert stored(Manifest({"score": "evidence-v0", "threshold": 0.9})) is None
    assert stored(Manifest({"score": SCORE, "threshold": "high"})) is None


def test_abstains_under_the_threshold_and_without_candidates() -> None:
    ctx = Ctx(Manifest({"score": SCORE, "threshold": 0.62}), vocabulary={"client", "timeout"})
    assert not abstains(ctx, state("client timeout?", [0.6], [0.1]))  # 0.65
    assert abstains(ctx, state("client timeout?", [0.5], [0.1]))  # 0.55
    empty = replace(state("client timeout?", [0.6], [0.1]), candidates=[])
    assert abstains(ctx, empty)


def test_a_count_or_year_question_whose_best_quotes_hold_none_abstains() -> None:
    cal = Manifest({"score": SCORE, "threshold": 0.62, "code_names": []})
    vocab = {"star", "repositori", "pool", "connect", "releas", "httpx"}
    quotes = {10: "The pool keeps connections alive.", 11: "Stars and repositories are listed on the site."}
    ctx = Ctx(cal, vocabulary=vocab, displays=quotes)
    s = state("how many stars does the repository have?", [0.7, 0.6], [0.4, 0.3])
    assert evidence(ctx, s).unvalued == 1.0 and abstains(ctx, s)
    # the same question answered by a quote that holds a number
    counted = Ctx(cal, vocabulary=vocab, displays={10: "It has 50,000 stars.", 11: ""})
    assert evidence(counted, s).unvalued == 0.0 and not abstains(counted, s)
    # a count of a thing the corpus never names, however many numbers the quotes hold
    never = Ctx(cal, vocabulary={"github", "pool", "connect"}, displays={10: "GitHub does though: <Response [200]>"})
    stars = state("how many github stars does it have?", [0.7, 0.6], [0.4, 0.3])
    assert evidence(never, stars).unvalued == 1.0 and abstains(never, stars)
    asked = state("how many connections does the pool keep?", [0.7], [0.4])
    assert not abstains(Ctx(cal, vocabulary={"pool", "connect"}, displays={10: "The pool keeps 10 connections."}), asked)
    # a question asking for no value is not touched
    assert not abstains(ctx, state("how does the pool keep connections?", [0.7], [0.4]))
    assert abstains(ctx, state("what year was httpx first released?", [0.7], [0.4]))
    assert not abstains(Ctx(cal, vocabulary=vocab, displays={10: "First released in 2019."}),
                        state("what year was httpx first released?", [0.7], [0.4]))


def test_a_question_naming_a_code_identifier_the_corpus_never_writes_abstains() -> None:
    vocab = {"pin", "fingerprint", "certif", "verifi", "client", "session"}
    cal = Manifest({"score": SCORE, "threshold": 0.62, "code_names": ["requests.session", "--cert"]})
    ctx = Ctx(cal, vocabulary=vocab)
    unknown = state("how do i pin a cert fingerprint with assert_fingerprint?", [0.7], [0.3])
    assert evidence(ctx, unknown).unseen_code == 1.0 and abstains(ctx, unknown)
    flag = state("how do i pin a fingerprint like curl --pinnedpubkey?", [0.7], [0.3])
    assert evidence(ctx, flag).unseen_code == 1.0 and abstains(ctx, flag)
    # names the corpus writes: answered
    known = state("can a requests.Session verify a fingerprint with --cert?", [0.7], [0.3])
    assert evidence(ctx, known).unseen_code == 0.0 and not abstains(ctx, known)
    # names stored for an older score are not trusted: the retrieved text decides
    older = Ctx(Manifest({"score": "evidence-v5", "threshold": 0.62, "code_names": []}), vocabulary=vocab,
                displays={10: "s = requests.Session()"})
    assert evidence(older, state("can a requests.Session verify a fingerprint?", [0.7], [0.3])).unseen_code == 0.0
    # an index that stored no names looks in the retrieved text
    old = Ctx(Manifest({"score": SCORE, "threshold": 0.62}), vocabulary=vocab, displays={10: "s = requests.Session()"})
    assert not abstains(old, state("can a requests.Session verify a fingerprint?", [0.7], [0.3]))


def test_a_question_framed_in_a_tool_the_corpus_never_mentions_abstains() -> None:
    vocab = {"read", "json", "bodi", "post", "rout", "client"}
    ctx = Ctx(Manifest({"score": SCORE, "threshold": 0.62, "code_names": []}), vocabulary=vocab)
    framed = state("in flask, how do i read the json body my client posted to the route?", [0.75], [0.3])
    assert evidence(ctx, framed).framed == 1.0 and abstains(ctx, framed)
    assert not abstains(ctx, state("how do i read the json body my client posted?", [0.75], [0.3]))


def test_a_word_is_close_when_the_quote_writes_it_or_its_embedding_is_near() -> None:
    vectors = {"people": [1.0, 0.0], "residents": [0.8, 0.6], "response": [0.2, 0.98], "ten": [0.0, 1.0]}

    def encode_many(words: list[str]):  # noqa: ANN202 - a stand-in for the question encoder
        import numpy as np

        return np.array([vectors.get(w, [0.0, 1.0]) for w in words])

    assert close_word(encode_many, "people", ["Ten residents were taken to hospital."])
    assert not close_word(encode_many, "people", ["<Response [200]>"])
    assert close_word(lambda _: None, "stars", ["It has 50,000 stars."])  # the word itself: no encoding
    assert not close_word(encode_many, "stars", ["200 42"])  # no words to compare
