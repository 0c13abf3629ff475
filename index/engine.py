"""The query side of citebot: open an index once, then ask it questions.

    engine = Engine.open(settings)          # loads model + index; IndexNotFound / ModelMismatch
    answer = engine.ask("who praised him?") # -> index.answer.Answer (thread-safe, CPU-bound)
    engine.info                              # IndexInfo: documents, chunks, built_at, model, backend

``ask`` is synchronous and CPU-bound: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.answer import Answer, Citation, Passage
from index.atomic import resolve
from index.dedup import similar, words
from index.embeddings import Embedder, load_embedder, model_id_of, resolve_model, weights_checksum
from index.errors import EmptyQuestion, QuestionTooLong
from index.lexical import Analyzer
from index.manifest import Manifest
from index.quotes import Candidate, QuoteParams, evidence_terms, pick, select
from index.retrieval import Hits, Mode, RetrievalParams, Retriever
from index.settings import Settings
from index.store import IndexData, read_index


@dataclass(frozen=True, slots=True)
class IndexInfo:
    index_dir: Path
    documents: int
    chunks: int
    built_at: str  # ISO 8601, UTC
    model: str
    backend: str


def check_question(question: str, max_chars: int) -> str:
    """The question stripped; EmptyQuestion or QuestionTooLong if it cannot be asked."""
    q = question.strip()
    if not q:
        raise EmptyQuestion()
    if len(q) > max_chars:
        raise QuestionTooLong(len(q), max_chars)
    return q


class Engine:
    def __init__(
        self,
        data: IndexData,
        embedder: Embedder,
        settings: Settings,
        retrieval: RetrievalParams | None = None,
        quotes: QuoteParams | None = None,
    ) -> None:
        self.data = data
        self.embedder = embedder
        self.settings = settings
        self.retriever = Retriever(data, retrieval)
        self.quote_params = quotes or QuoteParams()
        self.analyzer = Analyzer()
        self._encode_lock = threading.Lock()
        self._terms: dict[int, list[str]] = {}
        self._bags: dict[int, tuple[Counter[str], int]] = {}  # chunk -> its words, for _similar_chunks

    @classmethod
    def open(
        cls,
        settings: Settings,
        index_dir: Path | None = None,
        *,
        embedder: Embedder | None = None,
        retrieval: RetrievalParams | None = None,
        quotes: QuoteParams | None = None,
    ) -> Engine:
        """Check the manifest against the configured model before paying for loading anything."""
        directory = resolve(Path(index_dir or settings.index_dir))
        manifest = Manifest.read(directory)
        if embedder is None:
            path = resolve_model(settings.model)
            manifest.check_model(model_id_of(path), weights_checksum(path), settings.backend)
            embedder = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
        else:
            manifest.check_model(embedder.model_id, embedder.checksum, embedder.backend)
        return cls(read_index(directory), embedder, settings, retrieval, quotes)

    @property
    def info(self) -> IndexInfo:
        m = self.data.manifest
        return IndexInfo(
            index_dir=self.data.directory,
            documents=m.counts["documents"],
            chunks=m.counts["chunks"],
            built_at=m.built_at,
            model=str(m.model["id"]),
            backend=str(m.model["backend"]),
        )

    # -- asking ---------------------------------------------------------------------------------

    def check_question(self, question: str) -> str:
        return check_question(question, self.settings.max_question_chars)

    def encode_question(self, question: str) -> np.ndarray:
        with self._encode_lock:
            return self.embedder.encode([question], batch_size=1)[0]

    def search(self, question: str, mode: Mode = "hybrid", limit: int | None = None) -> Hits:
        q = self.check_question(question)
        return self.retriever.search(self.encode_question(q), self.analyzer.terms(q), mode, limit)

    def ask(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> Answer:
        q = self.check_question(question)
        k = k or self.settings.top_k
        q_terms = self.analyzer.terms(q)
        hits = self.retriever.search(self.encode_question(q), q_terms, mode)
        distinct = self._distinct_chunks(hits, max(k, self.quote_params.passages))  # once for both
        passages = self._passages(hits, k, distinct)
        candidates = self._candidates(q, q_terms, hits, distinct)
        p = self.quote_params
        if not candidates or candidates[0].evidence < p.abstain_below:
            return Answer(q, True, [], passages)
        chosen = pick(candidates, self.data.sentence_text, self.settings.max_citations, p.keep_ratio)
        return Answer(q, False, [self._citation(c) for c in chosen], passages)

    def _candidates(
        self, q: str, q_terms: list[str], hits: Hits, distinct: list[int] | None = None
    ) -> list[Candidate]:
        data = self.data
        n = self.quote_params.passages
        top = distinct[:n] if distinct is not None else self._distinct_chunks(hits, n)
        return select(
            q,
            evidence_terms(q, self.analyzer.terms),
            top,
            sentences_of=lambda c: range(int(data.chunks[c, 3]), int(data.chunks[c, 4])),
            text_of=data.sentence_text,
            terms_of=self._sentence_terms,
            cos_of=lambda i: hits.sentence_cos.get(i, 0.0),
            idf=data.bm25.idf,
            params=self.quote_params,
        )

    def _sentence_terms(self, i: int) -> list[str]:
        terms = self._terms.get(i)
        if terms is None:
            terms = self.analyzer.terms(self.data.sentence_text(i))
            if len(self._terms) < 200_000:
                self._terms[i] = terms
        return terms

    def _distinct_chunks(self, hits: Hits, limit: int) -> list[int]:
        """Top chunks, skipping any that repeats the text of one already taken."""
        out: list[int] = []
        for c in hits.chunks.tolist():
            if len(out) >= limit:
                break
            if any(self._similar_chunks(c, o) for o in out):
                continue
            out.append(c)
        return out

    def _chunk_bag(self, c: int) -> tuple[Counter[str], int]:
        bag = self._bags.get(c)
        if bag is None:
            ws = words(self.data.chunk_text(c))
            bag = (Counter(ws), len(ws))
            if len(self._bags) < 100_000:
                self._bags[c] = bag
        return bag

    def _similar_chunks(self, a: int, b: int, threshold: float = 0.85) -> bool:
        """``dedup.similar`` of two chunks, skipping difflib when the shared words alone rule it out:
        its ratio 2·matches/(len a + len b) can never exceed 2·|a ∩ b| (multiset) / (len a + len b)."""
        (ca, la), (cb, lb) = self._chunk_bag(a), self._chunk_bag(b)
        if la and lb:
            small, large = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
            shared = sum(min(n, large.get(w, 0)) for w, n in small.items())
            if 2.0 * shared / (la + lb) < threshold:
                return False
        return similar(self.data.chunk_text(a), self.data.chunk_text(b), threshold)

    def _passages(self, hits: Hits, k: int, distinct: list[int] | None = None) -> list[Passage]:
        data = self.data
        score = dict(zip(hits.chunks.tolist(), hits.scores.tolist(), strict=True))
        out = []
        for c in distinct[:k] if distinct is not None else self._distinct_chunks(hits, k):
            d, s, e, first, _ = (int(x) for x in data.chunks[c])
            page = int(data.sentences[first, 4])
            out.append(
                Passage(
                    text=data.docs[d].text[s:e],
                    source=data.docs[d].source,
                    char_start=s,
                    char_end=e,
                    score=score[c],
                    line=int(data.sentences[first, 3]),
                    page=page if page > 0 else None,
                )
            )
        return out

    def _citation(self, cand: Candidate) -> Citation:
        d, s, e, line, page = (int(x) for x in self.data.sentences[cand.sentence])
        return Citation(
            quote=self.data.docs[d].text[s:e],
            source=self.data.docs[d].source,
            line=line,
            char_start=s,
            char_end=e,
            score=cand.score,
            page=page if page > 0 else None,
        )
