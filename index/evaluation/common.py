"""What the runners share: opening an engine on an eval index, recording the hits of ``ask``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.retrieval import Hits, Retriever


class RecordingRetriever:
    """Wraps an engine's retriever and keeps the hits of the last search, so that one ``ask``
    yields both the answer and the document ranking (no second search)."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.last: Hits | None = None

    def search(self, *args: Any, **kwargs: Any) -> Hits:
        self.last = self.inner.search(*args, **kwargs)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def open_engine(settings, index_dir: Path, embedder, retrieval=None, quotes=None):  # noqa: ANN001, ANN201
    from index.engine import Engine

    engine = Engine.open(settings, index_dir, embedder=embedder, retrieval=retrieval, quotes=quotes)
    engine.retriever = RecordingRetriever(engine.retriever)  # type: ignore[assignment]
    return engine


def ranked_sources(engine, hits: Hits | None, depth: int) -> list[tuple[str, float]]:  # noqa: ANN001
    """Documents by their best chunk (max over chunks), as ``(source, score)``, best first."""
    if hits is None:
        return []
    docs = engine.data.docs
    return [(docs[d].source, float(s)) for d, s in engine.retriever.rank_documents(hits)[:depth]]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000.0


def verbatim_ok(engine, answer) -> bool:  # noqa: ANN001
    """``document_text[char_start:char_end] == quote`` for every citation of the answer."""
    texts = getattr(engine, "_eval_texts", None)
    if texts is None:
        texts = {d.source: d.text for d in engine.data.docs}
        engine._eval_texts = texts
    return all(texts.get(c.source, "")[c.char_start : c.char_end] == c.quote for c in answer.citations)
