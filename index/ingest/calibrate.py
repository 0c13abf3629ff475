"""The abstain threshold of a new index, calibrated on that corpus when it is built.

A fixed threshold means nothing across corpora: on a news article an answerable question's evidence
is 0.4 and an off-topic one's 0.1; on a library's docs an answerable one scores 0.9 and an unanswerable
one about a neighbouring library 0.7. So every build scores two sets of questions against the new
index (``index.query.abstain.Evidence``) and places the threshold between them:

* **the bank** (``index/models/offtopic.txt``): questions no project's docs should answer: everyday
  life, trivia, other languages and tools, and near-topic developer questions ("async def
  commands?", "does it run on an esp32?"). Their scores are what "not answered here" looks like
  on this corpus.
* **pseudo-questions** made from the corpus's own units: a sampled prose unit's content words,
  half of them dropped, behind a question opening. The unit itself is in the index, so its own
  evidence would be inflated (the words are its words): it is *held out*, its evidence read from
  the other units only (its cosine and lexical share, and the closest units whose token states cover
  its words: ``index.query.coverage``). What remains is how the evidence of a question that its neighbours answer
  looks: a conservative stand-in for an answerable question.

The bank's edge is its ``BANK_QUANTILE`` quantile (about 5% of the bank scores above it), after
leaving out the bank questions the corpus plainly answers (their score is above the median
pseudo-question's: a Flask question asked of Flask's docs); the pseudo-questions' edge is the score
that ``PSEUDO_ACCEPT`` of them reach. When the bank's edge is below the pseudo-questions' the
threshold is the middle of the gap; when they overlap, the pseudo-questions' edge (so that most
answerable questions are still answered, at the price of accepting more of the bank). It is kept
within ``[FLOOR, CEILING]``; a corpus too small for ``MIN_PSEUDO`` pseudo-questions is
calibrated on the bank's edge alone. It costs one model run and the first query stages for some 400 questions
(a few seconds on a docs folder of some 40 pages). The result goes to ``Manifest.abstention``; ``citebot index info``
shows it and the build summary reports it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from index.models.documents import PROSE_KINDS
from index.query.abstain import ASK, ASK_FROM, SCORE, UNCOVERED, UNCOVERED_FROM, Evidence, evidence
from index.query.coverage import CLIP_EXTRA, CLIP_MIN, TYPO_MIN, TYPO_RATIO
from index.query.coverage import K as COVERAGE_K
from index.query.foreign import corpus_code_names

if TYPE_CHECKING:
    from index.models.embeddings import Embedder, Tokens
    from index.query.state import Context
    from index.storage.backend import Backend

BANK_FILE = "offtopic.txt"
BANK_QUANTILE = 0.95
PSEUDO_ACCEPT = 0.90  # the target: at most 10% of answerable questions abstained
PSEUDO_MAX = 150
FLOOR, CEILING = 0.25, 1.2
MIN_PSEUDO = 10  # fewer pseudo-questions than this (a tiny corpus): the bank alone decides
BANK_MIN = 80  # a corpus of n units is scored with max(BANK_MIN, 2n) bank questions (all of them from 125 units)
OPENINGS = ("how do i", "what is", "why does", "can i", "how to", "what does", "when should i", "")


def bank() -> list[str]:
    """The off-topic bank shipped with the package: one question a line, ``#`` comments."""
    text = (resources.files("index.models") / BANK_FILE).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def key() -> str:
    """What a calibration depends on besides the corpus (the eval cache rebuilds when it changes)."""
    import hashlib

    h = hashlib.sha256("\n".join(bank()).encode())
    h.update(f"{SCORE}|rule 3|code names|one run|coverage K={COVERAGE_K} {UNCOVERED} {UNCOVERED_FROM} typos {TYPO_RATIO} {TYPO_MIN} clips {CLIP_MIN} {CLIP_EXTRA}|whether {ASK} {ASK_FROM}|{BANK_QUANTILE}|{PSEUDO_ACCEPT}|{PSEUDO_MAX}|{FLOOR}|{CEILING}|{MIN_PSEUDO}|{BANK_MIN}".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Pseudo:
    question: str
    unit: int  # the unit it was made from (held out when it is scored)


def pseudo_questions(backend: Backend, limit: int = PSEUDO_MAX, seed: int = 0) -> list[Pseudo]:
    """Questions made from up to ``limit`` sampled prose units of at least 8 words (deterministic)."""
    rng = random.Random(seed)
    order = list(range(backend.n_units))
    rng.shuffle(order)
    out: list[Pseudo] = []
    for i in order:
        if len(out) >= limit:
            break
        u = backend.unit(i)
        if u.kind not in PROSE_KINDS:
            continue
        words = re.findall(r"[A-Za-z][\w'-]*", u.display)
        content = [w for w in words if len(w) > 3]
        if len(words) < 8 or len(content) < 4:
            continue
        keep = sorted(rng.sample(range(len(content)), max(3, min(6, len(content) // 2))))
        opening = rng.choice(OPENINGS)
        question = " ".join(([opening] if opening else []) + [content[k].lower() for k in keep])
        out.append(Pseudo(question + "?", i))
    return out


class _Precomputed:
    """A question encoder over vectors (and token states) computed for all questions beforehand."""

    def __init__(self, vectors: dict[str, np.ndarray], embedder: Embedder, tokens: dict[str, Tokens] | None = None) -> None:
        self.vectors = vectors
        self.embedder = embedder
        self.tokens = tokens or {}

    def encode(self, text: str) -> np.ndarray:
        return self.vectors[text]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Other texts (the units' heading contexts), in one batch."""
        return self.embedder.encode(texts, batch_size=max(1, len(texts)))

    def recent_tokens(self, text: str) -> Tokens | None:
        """A calibration question's token states (``TokenSource`` asks this first)."""
        return self.tokens.get(text)

    def token_states(self, texts: list[str]) -> list[Tokens]:
        """Units whose states the index does not store (``TokenSource`` keeps them in its LRU)."""
        return self.embedder.token_states(texts)


def question_runs(embedder: Embedder, questions: list[str]) -> tuple[dict[str, np.ndarray], dict[str, Tokens]]:
    """Each question's vector and token states, as ask has them: from one unpadded model run each when
    the embedder gives both at once (``encode_with_tokens``), else a batch encode and a token pass."""
    both = getattr(embedder, "encode_with_tokens", None)
    if both is not None:
        runs = {q: both(q) for q in questions}
        return {q: v for q, (v, _) in runs.items()}, {q: t for q, (_, t) in runs.items()}
    if not questions:
        return {}, {}
    vecs = embedder.encode(questions, batch_size=64)
    return dict(zip(questions, vecs, strict=True)), dict(zip(questions, embedder.token_states(questions), strict=True))


def context_for(backend: Backend, embedder: Embedder, questions: list[str]) -> Context:
    from index.query import rankers
    from index.query.records import QuoteParams, RetrievalParams
    from index.query.state import Context, UnitTexts
    from index.query.tokens import TokenSource

    unique = list(dict.fromkeys(questions))
    vectors, tokens = question_runs(embedder, unique)
    encoder = _Precomputed(vectors, embedder, tokens)
    return Context(backend=backend, encoder=encoder, texts=UnitTexts(backend),  # type: ignore[arg-type]
                   retrieval=RetrievalParams(), quotes=QuoteParams(), rankers=rankers.packaged(),
                   tokens=TokenSource(backend, encoder))  # type: ignore[arg-type]


def score(ctx: Context, question: str, exclude: tuple[int, ...] = ()) -> Evidence:
    """The question's evidence against the index (the stages up to the candidate units)."""
    from index.query import pipeline
    from index.query.state import QueryState

    state = pipeline.run(ctx, QueryState(question), pipeline.FIRST_STAGE)
    return evidence(ctx, state, exclude)


def sample(questions: list[str], n: int) -> list[str]:
    """``n`` of ``questions`` spread evenly over the list (the bank is grouped by domain)."""
    if n >= len(questions):
        return questions
    step = len(questions) / n
    return [questions[int(k * step)] for k in range(n)]


def choose(bank_scores: np.ndarray, pseudo_scores: np.ndarray) -> tuple[float, int]:
    """The threshold, and how many bank questions were left out as answered by the corpus."""
    if len(pseudo_scores) < MIN_PSEUDO:
        pseudo_scores = np.zeros(0)
    answered = np.median(pseudo_scores) if len(pseudo_scores) else np.inf
    negatives = bank_scores[bank_scores < answered]
    if not len(negatives):
        negatives = bank_scores
    t = float(np.quantile(negatives, BANK_QUANTILE)) if len(negatives) else FLOOR
    if len(pseudo_scores):
        low = float(np.quantile(pseudo_scores, 1.0 - PSEUDO_ACCEPT))
        t = (t + low) / 2 if t < low else low  # the middle of the gap between them, if there is one
    return float(np.clip(t, FLOOR, CEILING)), int(len(bank_scores) - len(negatives))


def calibrate(backend: Backend, embedder: Embedder, questions: list[str] | None = None) -> dict[str, Any]:
    """The calibrated threshold of ``backend``'s index and what it was measured on (the manifest's
    ``abstention`` field)."""
    import time

    t0 = time.perf_counter()
    offtopic = sample(bank(), max(BANK_MIN, 2 * backend.n_units)) if questions is None else questions
    pseudo = pseudo_questions(backend)
    ctx = context_for(backend, embedder, offtopic + [p.question for p in pseudo])
    b = np.array([score(ctx, q).score for q in offtopic], dtype=np.float64)
    p = np.array([score(ctx, s.question, (s.unit,)).score for s in pseudo], dtype=np.float64)
    t, answered = choose(b, p)
    return {
        "score": SCORE,
        "threshold": round(t, 4),
        "bank": len(offtopic),
        "bank_answered": answered,  # left out: the corpus seems to answer them
        "bank_accept": round(float((b >= t).mean()), 4) if len(b) else 0.0,
        "pseudo": len(pseudo),
        "pseudo_accept": round(float((p >= t).mean()), 4) if len(p) else 0.0,
        "seconds": round(time.perf_counter() - t0, 2),
        # the code names the corpus writes that the analyzer splits (web.Application, --resolve)
        "code_names": corpus_code_names(backend.unit_display(i) for i in range(backend.n_units)),
    }


def summary(cal: dict[str, Any]) -> str:
    """One line of the build summary."""
    if not cal:
        return "abstention: not calibrated (threshold 0.30)"
    return (
        f"abstention: threshold {cal['threshold']:.2f} (off-topic bank {cal['bank']}: "
        f"{cal['bank_accept']:.0%} accepted; {cal['pseudo']} pseudo-questions from the corpus: "
        f"{cal['pseudo_accept']:.0%} accepted; {cal.get('seconds', 0.0):.1f} s)"
    )
