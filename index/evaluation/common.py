"""What the runners share: opening an engine on an eval index, its document ranking, timing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def open_engine(settings, index_dir: Path, embedder, retrieval=None, quotes=None):  # noqa: ANN001, ANN201
    from index.query.engine import Engine

    local = settings.model_copy(update={"store": "local"})  # eval indexes are local (cache.py)
    return Engine.open(local, index_dir, embedder=embedder, retrieval=retrieval, quotes=quotes)


def ranked_sources(engine, retrieval, depth: int) -> list[tuple[str, float]]:  # noqa: ANN001
    """The documents of an ``Engine.retrieve`` result as ``(source, score)``, best first."""
    docs = engine.backend.documents()
    return [(docs[d].source, float(s)) for d, s in retrieval.documents.pairs()[:depth]]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000.0


def verbatim_ok(engine, answer) -> bool:  # noqa: ANN001
    """``document_text[char_start:char_end] == quote`` for every citation of the answer."""
    texts = getattr(engine, "_eval_texts", None)
    if texts is None:
        texts = {d.source: d.text for d in engine.backend.documents()}
        engine._eval_texts = texts
    return all(texts.get(c.source, "")[c.char_start : c.char_end] == c.quote for c in answer.citations)
