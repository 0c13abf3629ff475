"""The records the query stages hand each other through ``QueryState`` (``index.query.state``).

Each is made by one stage and read by the later ones: the parameters of retrieval and quote
selection, the retrieval hits (``retrieval.retrieve``), a ranking of documents
(``retrieval.rank_first_stage``, ``rerank``) and the candidate quotes (``quotes.rank_units`` on).
They live apart from the stages so that the state can name them without importing a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from index.query.features import FeatureRows

if TYPE_CHECKING:
    from index.storage.backend import LexicalQuery

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class RetrievalParams:
    alpha: float = 0.5  # weight of the dense score in the fusion
    sentence_max: float = 0.5  # dense chunk score = this · best unit + rest · chunk mean vector
    dense_candidates: int = 100  # units fetched from the vector store
    bm25_candidates: int = 100  # chunks fetched from BM25
    # document ranking: weights of best unit, mean of best two, mean vector, document BM25, best chunk BM25
    doc_best: float = 0.2
    doc_top2: float = 0.2
    doc_mean: float = 0.1
    doc_bm25: float = 0.3
    doc_chunk_bm25: float = 0.1
    doc_candidates: int = 100  # documents fetched from the document BM25
    # the top passages (``QuoteParams.passages`` of them) chosen by the fused score plus this much of their
    # document's first-stage score (each min-max normalized; ``fusion.with_document_prior``), kept in fused
    # order. Off: at 0.3 the gold unit reached the candidates of 4 more of 261 docs tuning questions
    # (structlog +2) but answer@1 fell on structlog and markdown by 2 each with the rankers as fit
    # (BENCHMARKS.md, recall): a value needs a ranker refit on the candidates it makes
    chunk_document_prior: float = 0.0
    # a changelog or release notes, for a question not about versions or changes: this much off its
    # first-stage score (a sum of min-max normalized features, weights 0.9 in all) and off its reranked
    # logit; priors, not learned (no tuning set holds a changelog)
    changelog_prior: float = 0.3
    changelog_rerank: float = 1.5
    rerank_depth: int = 30  # questions: how many top documents the document ranker reorders
    # a URL in the question whose host the corpus never writes (the asker's own server) is searched as this
    # word ("" = searched as asked; ``index.query.addresses``). Off: "URL" gained httpx answer@3 +0.02 (tuning)
    # but lost starlette 1 question at @1 and @3 held out (BENCHMARKS.md, wave 6)
    own_address: str = ""


@dataclass
class Hits:
    chunks: np.ndarray  # chunk ids, best first
    scores: np.ndarray  # fused (or single-mode) scores, same order
    sentence_cos: dict[int, float]  # cosine to the question of every unit in the candidate chunks
    q_vec: np.ndarray | None = None
    q_terms: list[str] | None = None
    mode: Mode = "hybrid"
    lexical: LexicalQuery | None = None  # BM25 of the question over chunks (hybrid and bm25 modes)


# the document evidence, each min-max normalized over the candidate documents
DOC_FEATURES = ("best_sentence", "best_two_sentences", "mean_vector", "document_bm25", "best_chunk_bm25")


@dataclass
class DocRanking:
    """Candidate documents best first, with the evidence they were ranked on."""

    docs: np.ndarray  # document ids, best first
    scores: np.ndarray  # weighted sum of the features
    features: FeatureRows  # DOC_FEATURES, min-max normalized
    best_cos: np.ndarray  # raw cosine of each document's best unit
    mean_cos: np.ndarray  # raw cosine of each document's mean vector

    @classmethod
    def empty(cls) -> DocRanking:
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), z, FeatureRows.empty(DOC_FEATURES), z, z)

    def __len__(self) -> int:
        return len(self.docs)

    def pairs(self) -> list[tuple[int, float]]:
        return list(zip(self.docs.tolist(), self.scores.tolist(), strict=True))

    def take(self, order: np.ndarray, scores: np.ndarray) -> DocRanking:
        return DocRanking(self.docs[order], scores, self.features.take(order), self.best_cos[order],
                          self.mean_cos[order])


@dataclass(frozen=True)
class QuoteParams:
    passages: int = 8  # how many top passages quotes are drawn from
    # answer-type constraint on top of the learned ranker: logit penalty for a sentence without what a
    # how old / how many / when (strong) or who / where (weak) question asks for
    type_strong: float = 2.0
    type_weak: float = 0.5
    # logit penalty for a unit of a changelog when the question is not about versions or changes (a
    # prior, not learned: the tuning sets hold no changelog; see BENCHMARKS.md "Docs QA")
    changelog: float = 1.5
    # logit penalty for a code block of document markup or plain text (``unit_facts.markup_sample``): the
    # example, where the answer is the prose that explains it (a prior, not learned; BENCHMARKS.md "Docs QA")
    markup_sample: float = 3.0
    refine: int = 5  # questions: how many top candidates the answer ranker (``index.query.refine``) reorders
    keep_ratio: float = 0.01  # a 2nd/3rd quote must have at least this share of the best's probability
    neighbours: bool = True  # a quote takes in the next-best candidates beside it (``extend.with_neighbours``)
    spill: int = 0  # a passage that ends in code or a lead-in: this many units of the chunk after it too (``spill``;
    # off: with the shipped rankers 3 gave httpx answer@3 +0.04 but requests answer@1 -0.05, tuning sets)
    # a code question (``cues.wants_code``): the first code block after each of its this many best prose
    # candidates, within ``code_reach`` units of the same section, is a candidate too (``code_after``; 0: off)
    code_after: int = 3
    code_reach: int = 12
    symptoms: bool = False  # a question quoting an error the best code block shows: the prose after it first (``symptoms``)
    reasons: bool = True  # a why question whose best candidate gives no reason: its section's reason first (``reasons``)
    defaults: bool = True  # a default question whose best candidate names no default: the best that does first (``defaults``)
    # a code question naming identifiers whose best candidate holds none: the best code block that does first (``named_code``)
    named_code: bool = True
    pointers: bool = True  # the best candidate only points elsewhere ("See …", "Similar issues: [links]"): the best that does not first
    abstain_below: float = 0.30  # evidence under this → the documents do not answer
    entity_miss: float = 0.2  # evidence − this × share of the question's names that the corpus never mentions


@dataclass(frozen=True)
class Candidate:
    unit: int
    score: float  # probability among the question's candidates (softmax of the ranker's logits)
    cos: float
    lex: float
    evidence: float  # what abstention looks at (question-level: the same for every candidate)
    passage: int = 0  # rank of the passage it came from
    row: int = field(default=-1, compare=False, repr=False)  # its row in the SENTENCE_FEATURES rows
