"""The query side of citebot: open an index once, then ask it questions.

    engine = Engine.open(settings)          # loads model + index; IndexNotFound / ModelMismatch
    answer = engine.ask("who praised him?") # -> index.answer.Answer (thread-safe, CPU-bound)
    engine.info                              # IndexInfo: documents, chunks, built_at, model, backend

``ask`` is synchronous and CPU-bound: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class IndexInfo:
    index_dir: Path
    documents: int
    chunks: int
    built_at: str  # ISO 8601, UTC
    model: str
    backend: str
