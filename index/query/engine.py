"""The query side of citebot: open an index once, then ask it questions.

    engine = Engine.open(settings)          # loads model + index; IndexNotFound / ModelMismatch
    answer = engine.ask("who praised him?") # -> index.query.answer.Answer (thread-safe, CPU-bound)
    engine.info                              # IndexInfo: documents, chunks, built_at, model, backend

``ask`` is synchronous and CPU-bound: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import EmptyQuestion, QuestionTooLong
from index.ingest.dedup import similar, words
from index.ingest.gitinfo import permalink
from index.models.embeddings import (
    Embedder,
    Tokens,
    load_embedder,
    model_id_of,
    resolve_model,
    weights_checksum,
)
from index.models.lexical import Analyzer
from index.query.answer import Answer, Citation, Passage
from index.query.cues import evidence_terms, is_question
from index.query.quotes import Candidate, PassageInfo, QuoteParams, pick, rank_candidates, sentence_rows
from index.query.refine import answer_rows, refine
from index.query.rerank import best_passages, rerank
from index.query.retrieval import DocRanking, Hits, Mode, RetrievalParams, Retriever
from index.query.sections import Excerpt, lines_around, section
from index.settings import Settings
from index.storage.manifest import Manifest
from index.storage.store import IndexData, read_index


@dataclass(frozen=True, slots=True)
class FirstStage:
    """What one question retrieves before any learned ranker runs (also what the rankers are fit on)."""

    question: str
    hits: Hits  # chunks, best first
    passages: list[int]  # distinct chunks, best first
    documents: DocRanking  # first-stage document ranking
    rows: list[list[float]]  # quotes.SENTENCE_FEATURES of the sentences of the top passages
    meta: list[tuple[int, int]]  # (sentence, passage rank) of each row


@dataclass(frozen=True, slots=True)
class Retrieval:
    """Everything one question retrieved: what ``ask`` answers from and what the eval scores."""

    question: str
    hits: Hits  # chunks, best first
    passages: list[int]  # distinct chunks, best first
    documents: DocRanking  # documents, best first (reranked for questions)
    candidates: list[Candidate]  # quote candidates, best first


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
        self._by_source: dict[str, int] | None = None

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
        """Check the manifest against the configured model before paying for loading anything; then
        open that one generation of the index (checked: ``index.storage.validate``)."""
        chosen = embedder

        def check_model(manifest: Manifest) -> None:
            nonlocal chosen
            if chosen is None:
                path = resolve_model(settings.model)
                manifest.check_model(model_id_of(path), weights_checksum(path), settings.backend)
                chosen = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
            else:
                manifest.check_model(chosen.model_id, chosen.checksum, chosen.backend)

        data = read_index(Path(index_dir or settings.index_dir), on_manifest=check_model)
        assert chosen is not None
        return cls(data, chosen, settings, retrieval, quotes)

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

    def first_stage(self, question: str, mode: Mode = "hybrid", k: int | None = None) -> FirstStage:
        """Search, rank documents, and the feature rows of the quote candidates."""
        q = self.check_question(question)
        k = k or self.settings.top_k
        hits = self.retriever.search(self.encode_question(q), self.analyzer.terms(q), mode)
        distinct = self._distinct_chunks(hits, max(k, self.quote_params.passages))  # once for both
        documents = self.retriever.rank_documents(hits)
        rows, meta = self.quote_rows(q, hits, distinct[: self.quote_params.passages], documents)
        return FirstStage(q, hits, distinct, documents, rows, meta)

    def retrieve(self, question: str, mode: Mode = "hybrid", k: int | None = None) -> Retrieval:
        """The first stage, its quote candidates scored; questions get their documents reranked and
        their top candidates refined."""
        f = self.first_stage(question, mode, k)
        q, hits, documents = f.question, f.hits, f.documents
        candidates = rank_candidates(q, f.rows, f.meta, self.data.bm25.idf, self.quote_params)
        if is_question(q):
            passages = best_passages(self.data.chunk_doc[hits.chunks], hits.scores)
            depth = self.retriever.params.rerank_depth
            documents = rerank(documents, candidates, self._doc_of_unit, depth, passages=passages)
            top = candidates[: self.quote_params.refine]
            if len(top) > 1:
                rows = answer_rows(q, top, self.data.unit_display, self._token_states, documents, self._doc_of_unit)
                candidates = refine(candidates, rows, self.quote_params)
        return Retrieval(q, hits, f.passages, documents, candidates)

    def ask(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> Answer:
        k = k or self.settings.top_k
        return self.answer(self.retrieve(question, mode, k), k)

    def answer(self, r: Retrieval, k: int | None = None) -> Answer:
        k = k or self.settings.top_k
        passages = self._passages(r.hits, k, r.passages)
        p = self.quote_params
        if not r.candidates or r.candidates[0].evidence < p.abstain_below:
            return Answer(r.question, True, [], passages)
        chosen = pick(r.candidates, self.data.unit_display, self.settings.max_citations, p.keep_ratio)
        return Answer(r.question, False, [self._citation(c) for c in chosen], passages)

    # -- around a quote ---------------------------------------------------------------------------

    def document(self, source: str) -> int:
        """The document number of a source; KeyError when the index has no such document."""
        if self._by_source is None:
            self._by_source = {d.source: i for i, d in enumerate(self.data.docs)}
        return self._by_source[source]

    def section(self, source: str, offset: int) -> Excerpt:
        """The heading section of ``source`` that holds character ``offset`` (e.g. a citation's start)."""
        d = self.document(source)
        t = self.data.tables
        return section(self.data.docs[d].text, self.data.doc_blocks(d), t.kinds, t.contexts, offset)

    def lines_around(self, source: str, line: int, end_line: int | None = None, n: int = 3) -> Excerpt:
        """Lines ``line - n`` .. ``end_line + n`` of ``source``, verbatim."""
        return lines_around(self.data.docs[self.document(source)].text, line, end_line or line, n)

    def _token_states(self, texts: list[str]) -> list[Tokens]:
        with self._encode_lock:
            return self.embedder.token_states(texts)

    def _doc_of_unit(self, i: int) -> int:
        return int(self.data.unit_doc[i])

    def quote_rows(
        self, q: str, hits: Hits, top: list[int], documents: DocRanking
    ) -> tuple[list[list[float]], list[tuple[int, int]]]:
        """``quotes.SENTENCE_FEATURES`` of every sentence of the passages ``top`` (what the ranker scores)."""
        data = self.data
        return sentence_rows(
            q,
            evidence_terms(q, self.analyzer.terms),
            top,
            sentences_of=data.chunk_units,
            text_of=data.unit_display,
            terms_of=self._sentence_terms,
            cos_of=lambda i: hits.sentence_cos.get(i, 0.0),
            idf=data.bm25.idf,
            info=self._passage_info(hits, top, documents),
        )

    def _passage_info(self, hits: Hits, top: list[int], documents: DocRanking) -> list[PassageInfo]:
        score = dict(zip(hits.chunks.tolist(), hits.scores.tolist(), strict=True))
        best_chunk = float(hits.scores[0]) if len(hits.scores) and hits.scores[0] else 1.0
        doc_rank = {int(d): r for r, d in enumerate(documents.docs.tolist())}
        best_doc = float(documents.scores[0]) if len(documents) and documents.scores[0] else 1.0
        out = []
        for c in top:
            d = int(self.data.chunk_doc[c])
            r = doc_rank.get(d)
            out.append(PassageInfo(
                score=score.get(c, 0.0) / best_chunk,
                doc_score=float(documents.scores[r]) / best_doc if r is not None else 0.0,
                doc_rank=r if r is not None else 99,
            ))
        return out

    def _sentence_terms(self, i: int) -> list[str]:
        terms = self._terms.get(i)
        if terms is None:
            terms = self.analyzer.terms(self.data.unit_display(i))
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
            ch = data.chunks[c]
            first = data.units[int(ch["first"])]
            d, s, e = int(ch["doc"]), int(ch["start"]), int(ch["end"])
            out.append(
                Passage(
                    text=data.docs[d].text[s:e],
                    source=data.docs[d].source,
                    char_start=s,
                    char_end=e,
                    score=score[c],
                    line=int(first["line"]),
                    page=int(first["page"]) or None,
                )
            )
        return out

    def _citation(self, cand: Candidate) -> Citation:
        return citation(self.data, cand.sentence, cand.score, self.settings.repo_url)


def citation(data: IndexData, i: int, score: float, repo_url: str | None = None) -> Citation:
    """Unit ``i`` as a citation: its source text (the verbatim quote), display text, where it is."""
    u = data.units[i]
    doc = data.docs[int(u["doc"])]
    start, end, line, end_line = int(u["start"]), int(u["end"]), int(u["line"]), int(u["end_line"])
    commit = data.manifest.commit
    url = permalink(repo_url, commit, doc.repo_path, line, end_line) if repo_url and commit and doc.repo_path else None
    display = data.unit_display(i)
    quote = doc.text[start:end]
    return Citation(
        quote=quote,
        source=doc.source,
        line=line,
        char_start=start,
        char_end=end,
        score=score,
        page=int(u["page"]) or None,
        display="" if display == quote else display,
        kind=data.unit_kind(i),
        language=data.unit_language(i),
        end_line=end_line,
        url=url,
    )
