"""What one question carries through the query stages (``QueryState``), and what every stage reads
(``Context``: the backend of one index generation, the question encoder, the parameters, the rankers).

    retrieve → rank documents → candidate units → rank → (questions: rerank documents → refine) → spans → answer

Each stage is a function ``stage(ctx, state)`` that fills in its part of the state
(``index.query.pipeline`` lists them); ``Engine.ask``, the eval runners and the ranker fit all run the
same stages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from index.models.dedup import words
from index.models.lexical import Analyzer

if TYPE_CHECKING:
    from index.models.ranker import LinearRanker
    from index.query.answer import Answer
    from index.query.encoder import QuestionEncoder
    from index.query.extend import Span
    from index.query.features import FeatureRows
    from index.query.records import Candidate, DocRanking, Hits, Mode, QuoteParams, RetrievalParams
    from index.query.tokens import TokenSource
    from index.storage.backend import Backend, LexicalQuery


class UnitTexts:
    """Stemmed terms of units and word bags of chunks, computed once per process (bounded caches)."""

    TERMS_MAX = 200_000
    BAGS_MAX = 100_000

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.analyzer = Analyzer()
        self._terms: dict[int, list[str]] = {}
        self._bags: dict[int, tuple[Counter[str], int]] = {}
        from index.query.unit_facts import ContextVectors, UnitFactsCache

        self.facts = UnitFactsCache(backend, self.analyzer.terms)  # what a unit is besides its text
        self.contexts: ContextVectors | None = None  # embedded title + heading paths (made on first use)

    def terms(self, text: str) -> list[str]:
        return self.analyzer.terms(text)

    def unit_terms(self, i: int) -> list[str]:
        terms = self._terms.get(i)
        if terms is None:
            terms = self.analyzer.terms(self.backend.unit_display(i))
            if len(self._terms) < self.TERMS_MAX:
                self._terms[i] = terms
        return terms

    def chunk_bag(self, c: int) -> tuple[Counter[str], int]:
        bag = self._bags.get(c)
        if bag is None:
            ws = words(self.backend.chunk_text(c))
            bag = (Counter(ws), len(ws))
            if len(self._bags) < self.BAGS_MAX:
                self._bags[c] = bag
        return bag


@dataclass(frozen=True)
class Rankers:
    """The three learned rankers (``index/models/rankers/*.json``: ``rankers.packaged``; the fit gives its own)."""

    sentences: LinearRanker
    documents: LinearRanker
    answers: LinearRanker


@dataclass(frozen=True)
class Context:
    backend: Backend
    encoder: QuestionEncoder
    texts: UnitTexts
    retrieval: RetrievalParams
    quotes: QuoteParams
    rankers: Rankers
    max_citations: int = 3
    repo_url: str | None = None
    abstain_below: float | None = None  # CITEBOT_ABSTAIN_THRESHOLD: overrides the index's calibrated threshold
    tokens: TokenSource | None = None  # token states for refine (stored, recent, computed); None: the encoder's

    @property
    def token_states(self):  # noqa: ANN201 - Callable[[list[str]], list[Tokens]]
        """Where refine gets token states: the token source, else the model itself."""
        return (self.tokens or self.encoder).token_states

    def with_rankers(self, **rankers: LinearRanker) -> Context:
        """The same context with some rankers replaced (the fit scores candidates with its own)."""
        return replace(self, rankers=replace(self.rankers, **rankers))


@dataclass
class QueryState:
    """One question on its way through the stages; each stage fills in its fields."""

    question: str
    mode: Mode = "hybrid"
    k: int = 5  # passages in the answer
    asks: bool = True  # a question (not a claim or keywords): documents reranked, candidates refined
    # retrieve
    q_vec: np.ndarray | None = None
    q_terms: list[str] = field(default_factory=list)
    hits: Hits | None = None
    chunk_lexical: LexicalQuery | None = None  # BM25 of the question over chunks (hybrid, bm25)
    # rank documents
    first_documents: DocRanking | None = None  # the first-stage ranking
    documents: DocRanking | None = None  # the current one (reranked for questions)
    # candidate units
    passages: list[int] = field(default_factory=list)  # distinct chunks, best first
    rows: FeatureRows | None = None  # quotes.SENTENCE_FEATURES of the units of the top passages
    meta: list[tuple[int, int]] = field(default_factory=list)  # (unit, passage rank) of each row
    # rank, refine
    candidates: list[Candidate] = field(default_factory=list)  # best first
    # spans, answer
    abstained: bool = False
    chosen: list[Candidate] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)  # what each chosen candidate quotes (index.query.extend)
    answer: Answer | None = None
