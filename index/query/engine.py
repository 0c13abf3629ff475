"""The query side of citebot: open an index once, then ask it questions.

    engine = Engine.open(settings)          # loads model + index; IndexNotFound / ModelMismatch / CorruptIndex
    answer = engine.ask("who praised him?") # -> index.query.answer.Answer (thread-safe, CPU-bound)
    engine.info                              # IndexInfo: documents, chunks, built_at, model, backend

The work is done by the stages of ``index.query.pipeline`` over the index's ``Backend``
(``index.storage.backend``, opened by its factory); the engine holds what they share (``Context``) and
checks questions. ``ask`` is synchronous and CPU-bound: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import EmptyQuestion, QuestionTooLong
from index.models.embeddings import Embedder, load_embedder, model_id_of, resolve_model, weights_checksum
from index.query import pipeline
from index.query import rankers as packaged_rankers
from index.query.answer import Answer, Citation
from index.query.cues import is_question
from index.query.encoder import QuestionEncoder
from index.query.records import Hits, Mode, QuoteParams, RetrievalParams
from index.query.retrieval import search
from index.query.sections import Excerpt, lines_around, section
from index.query.spans import citation
from index.query.state import Context, QueryState, Rankers, UnitTexts
from index.query.threads import single_threaded_blas
from index.query.tokens import TokenSource
from index.settings import Settings
from index.storage.backend import Backend, open_backend
from index.storage.manifest import Manifest

# what the eval runners and the fit read (one state type for every stage)
Retrieval = FirstStage = QueryState


@dataclass(frozen=True, slots=True)
class IndexInfo:
    index_dir: Path
    documents: int
    chunks: int
    built_at: str  # ISO 8601, UTC
    model: str
    backend: str
    commit: str = ""  # the git commit the documents were read at
    generation: str = ""
    indexed_at: str = ""  # when the documents were read (ISO 8601, UTC; "" in older indexes)


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
        backend: Backend,
        embedder: Embedder,
        settings: Settings,
        retrieval: RetrievalParams | None = None,
        quotes: QuoteParams | None = None,
        rankers: Rankers | None = None,
        index_dir: Path | None = None,
    ) -> None:
        single_threaded_blas()  # small products only on the query path (index.query.threads)
        self.backend = backend
        self.embedder = embedder
        self.settings = settings
        self.index_dir = Path(index_dir or settings.index_dir)
        self.encoder = QuestionEncoder(embedder)
        self.context = Context(
            backend=backend,
            encoder=self.encoder,
            texts=UnitTexts(backend),
            retrieval=retrieval or RetrievalParams(),
            quotes=quotes or QuoteParams(),
            rankers=rankers or packaged_rankers.packaged(),
            max_citations=settings.max_citations,
            repo_url=settings.repo_url,
            abstain_below=settings.abstain_threshold,
            tokens=TokenSource(backend, self.encoder),
        )
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
        open the index's live generation through its backend (checked: ``index.storage.validate``)."""
        chosen = embedder

        def check_model(manifest: Manifest) -> None:
            nonlocal chosen
            if chosen is None:
                path = resolve_model(settings.model)
                manifest.check_model(model_id_of(path), weights_checksum(path), settings.backend)
                chosen = load_embedder(settings.model, settings.backend, settings.model_cache_dir)
            else:
                manifest.check_model(chosen.model_id, chosen.checksum, chosen.backend)

        directory = Path(index_dir or settings.index_dir)
        backend = open_backend(settings, directory, on_manifest=check_model)
        assert chosen is not None
        return cls(backend, chosen, settings, retrieval, quotes, index_dir=directory)

    @property
    def data(self):  # noqa: ANN201 - the local store's arrays (tools that only work on a local index)
        return self.backend.data  # type: ignore[attr-defined]

    @property
    def retrieval_params(self) -> RetrievalParams:
        return self.context.retrieval

    @property
    def quote_params(self) -> QuoteParams:
        return self.context.quotes

    @property
    def info(self) -> IndexInfo:
        m = self.backend.manifest
        return IndexInfo(
            index_dir=self.index_dir,
            documents=m.counts["documents"],
            chunks=m.counts["chunks"],
            built_at=m.built_at,
            model=str(m.model["id"]),
            backend=str(m.model["backend"]),
            commit=m.commit,
            generation=self.backend.generation,
            indexed_at=getattr(m, "indexed_at", ""),
        )

    # -- asking ---------------------------------------------------------------------------------

    def check_question(self, question: str) -> str:
        return check_question(question, self.settings.max_question_chars)

    def encode_question(self, question: str) -> np.ndarray:
        return self.encoder.encode(question)

    def search(self, question: str, mode: Mode = "hybrid", limit: int | None = None) -> Hits:
        q = self.check_question(question)
        terms = self.context.texts.terms(q)
        return search(self.backend, self.context.retrieval, self.encode_question(q), terms, mode, limit)

    def state(self, question: str, mode: Mode = "hybrid", k: int | None = None) -> QueryState:
        q = self.check_question(question)
        return QueryState(q, mode, k or self.settings.top_k, is_question(q))

    def first_stage(self, question: str, mode: Mode = "hybrid", k: int | None = None) -> QueryState:
        """Search, rank documents, and the feature rows of the quote candidates (what the rankers are fit on)."""
        return pipeline.run(self.context, self.state(question, mode, k), pipeline.FIRST_STAGE)

    def retrieve(self, question: str, mode: Mode = "hybrid", k: int | None = None) -> QueryState:
        """Everything up to the answer: candidates ranked; questions get their documents reranked and
        their top candidates refined (what the eval scores)."""
        return pipeline.run(self.context, self.state(question, mode, k), pipeline.RETRIEVE)

    def ask(self, question: str, k: int | None = None, mode: Mode = "hybrid") -> Answer:
        state = pipeline.run(self.context, self.state(question, mode, k), pipeline.ASK)
        assert state.answer is not None
        return state.answer

    def answer(self, state: QueryState, k: int | None = None) -> Answer:
        """The answer of a ``retrieve`` result (``k``: passages, default as retrieved)."""
        if k is not None:
            state.k = k
        pipeline.run(self.context, state, pipeline.ANSWER)
        assert state.answer is not None
        return state.answer

    def citation(self, unit: int, score: float = 1.0) -> Citation:
        return citation(self.backend, unit, score, self.settings.repo_url)

    # -- around a quote ---------------------------------------------------------------------------

    def document(self, source: str) -> int:
        """The document number of a source; KeyError when the index has no such document."""
        if self._by_source is None:
            self._by_source = {d.source: i for i, d in enumerate(self.backend.documents())}
        return self._by_source[source]

    def section(self, source: str, offset: int) -> Excerpt:
        """The heading section of ``source`` that holds character ``offset`` (e.g. a citation's start)."""
        d = self.document(source)
        kinds, contexts = self.backend.tables()
        return section(self.backend.document(d).text, self.backend.document_blocks(d), kinds, contexts, offset)

    def lines_around(self, source: str, line: int, end_line: int | None = None, n: int = 3) -> Excerpt:
        """Lines ``line - n`` .. ``end_line + n`` of ``source``, verbatim."""
        return lines_around(self.backend.document(self.document(source)).text, line, end_line or line, n)
