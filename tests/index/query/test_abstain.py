"""The abstain decision: the evidence score, and which threshold applies."""

from dataclasses import replace

import pytest

from index.query.abstain import SCORE, Evidence, abstains, evidence, stored, threshold
from index.query.features import FeatureRows
from index.query.quotes import SENTENCE_FEATURES, Candidate, QuoteParams
from index.query.state import QueryState


class Manifest:
    def __init__(self, abstention: dict | None = None) -> None:
        if abstention is not None:
            self.abstention = abstention


class Backend:
    def __init__(self, manifest: Manifest, vocabulary: set[str] = frozenset()) -> None:
        self.manifest = manifest
        self.vocabulary = vocabulary

    def idf(self, term: str) -> float:
        return 1.0 if term in self.vocabulary else 9.0


class Texts:
    def terms(self, text: str) -> list[str]:
        from index.models.lexical import Analyzer

        return Analyzer().terms(text)


class Ctx:
    def __init__(self, manifest: Manifest, abstain_below: float | None = None, vocabulary: set[str] = frozenset()) -> None:
        self.backend = Backend(manifest, vocabulary)
        self.texts = Texts()
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
