"""The seam between the query path and where an index lives: one generation of one corpus.

Retrieval and quote selection read an index only through ``Backend``: dense candidates and the
cosines of given units, chunks and documents; BM25 candidates and the scores of given ids over
chunks and documents (with the generation's own statistics: ``idf``); and the records (units,
chunks, documents) they are made of. Fusion, features, rankers and embedding stay in the query path,
so a backend only has to answer these questions, in one or two round trips per question.

Optional: ``unit_token_states(ids) -> list[Tokens] | None``, the units' stored token states
(``index.storage.tokens``; None when the generation stores none). A backend without it is read through
``unit_token_states`` below, and the query path computes the states itself (``index.query.tokens``).

``LocalBackend`` (``index.storage.local``: FAISS + bm25s + .npy, the default) is one; a database
backend registers itself with ``register`` and is chosen by ``CITEBOT_STORE``. ``open_backend`` is
the factory every reader uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import CitebotError
from index.models.embeddings import Tokens
from index.storage.manifest import Manifest
from index.storage.schema import DocRecord


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One unit: its source span (``document_text[start:end]`` is its quote) and what it shows."""

    doc: int
    block: int
    kind: str
    start: int
    end: int
    line: int
    end_line: int
    page: int | None
    language: str
    quote: str  # source text
    display: str  # display text


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    doc: int
    start: int
    end: int
    units: range  # its units, in order
    line: int  # line of its first unit
    page: int | None  # page of its first unit
    text: str  # its source text (a passage)


class LexicalQuery(Protocol):
    """BM25 of one question (stemmed terms) over chunks or documents, with the generation's statistics."""

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``k`` ids with a positive score, and their scores (in no particular order)."""
        ...

    def scores(self, ids: np.ndarray) -> np.ndarray:
        """The scores of the given ids (0 for ids the question's terms do not occur in)."""
        ...


@runtime_checkable
class Backend(Protocol):
    """One generation of one corpus, read-only."""

    manifest: Manifest
    generation: str

    @property
    def n_documents(self) -> int: ...

    @property
    def n_chunks(self) -> int: ...

    @property
    def n_units(self) -> int: ...

    def prefetch(self, q_vec: np.ndarray | None, terms: list[str] | None, dense_k: int, chunk_k: int,
                 doc_k: int, idf_terms: Sequence[str] = ()) -> None:
        """A question begins (``retrieval.search``): a remote backend fetches what it will read in one or
        two round trips (the dense top ``dense_k`` units, none if 0; the BM25 top ``chunk_k`` chunks and
        ``doc_k`` documents when ``terms`` are given, and the IDF of ``terms`` and ``idf_terms``; then
        the cosines with ``q_vec`` and the BM25 of what those touch, their records and documents).
        Results never depend on it."""
        ...

    # -- dense -----------------------------------------------------------------------------------
    def dense_units(self, q_vec: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` units nearest to the question vector, best first."""
        ...

    def unit_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray: ...

    def chunk_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        """Cosines of the chunks' mean vectors."""
        ...

    def document_cosines(self, ids: np.ndarray, q_vec: np.ndarray) -> np.ndarray:
        """Cosines of the documents' mean vectors."""
        ...

    # -- lexical ---------------------------------------------------------------------------------
    def bm25_chunks(self, terms: list[str]) -> LexicalQuery: ...

    def bm25_documents(self, terms: list[str]) -> LexicalQuery: ...

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term among chunks."""
        ...

    # -- structure and records ---------------------------------------------------------------------
    def unit_chunks(self, ids: np.ndarray) -> np.ndarray:
        """The first chunk holding each unit."""
        ...

    def chunk_spans(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each chunk's units: (first, one past the last)."""
        ...

    def chunk_documents(self, ids: np.ndarray) -> np.ndarray: ...

    def unit_documents(self, ids: np.ndarray) -> np.ndarray: ...

    def document_units(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's units: (first, one past the last)."""
        ...

    def document_chunks(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's chunks: (first, one past the last)."""
        ...

    def unit(self, i: int) -> UnitRecord: ...

    def unit_display(self, i: int) -> str: ...

    def chunk(self, c: int) -> ChunkRecord: ...

    def chunk_text(self, c: int) -> str: ...

    def document(self, d: int) -> DocRecord: ...

    def documents(self) -> Sequence[DocRecord]: ...

    def document_blocks(self, d: int) -> np.ndarray:
        """The document's blocks (``schema.BLOCK_DTYPE``), for sections."""
        ...

    def tables(self) -> tuple[list[str], list[str]]:
        """The block kind names and the context strings the blocks refer to."""
        ...


def unit_token_states(backend: Backend, ids: Sequence[int]) -> list[Tokens] | None:
    """The stored token states of the given units (``ids=[]``: whether there are any), or None when the
    backend, or this generation of it, stores none (the optional ``Backend.unit_token_states``)."""
    method = getattr(backend, "unit_token_states", None)
    return method(ids) if method is not None else None


class UnknownStore(CitebotError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted({*_MODULES, *_OPENERS}))
        super().__init__(f"unknown index store {name!r} (CITEBOT_STORE); known: {known}")


# name -> open(settings, index_dir, on_manifest) -> Backend
Opener = Callable[[object, Path, Callable[[Manifest], None] | None], Backend]
_OPENERS: dict[str, Opener] = {}
# stores that register themselves when their module is imported (the first use of a name imports it)
_MODULES = {"local": "index.storage.local", "postgres": "index.storage.postgres.backend"}
# name -> publish(settings, index_dir) -> one line of what it did: a build into the local index directory
# is then copied into the store (``index.ingest.builder.build_index`` calls ``publish_build``)
Publisher = Callable[[object, Path], str]
_PUBLISHERS: dict[str, Publisher] = {}


def register(name: str, opener: Opener, publisher: Publisher | None = None) -> None:
    """Make a backend available as ``CITEBOT_STORE=<name>`` (``publisher``: what a build does for it
    after writing the local index)."""
    _OPENERS[name] = opener
    if publisher is not None:
        _PUBLISHERS[name] = publisher


def _store_name(settings: object) -> str:
    return getattr(settings, "store", "local") or "local"


def _opener(name: str) -> Opener:
    """The opener registered as ``name``, importing the store's module on first use."""
    if name not in _OPENERS and name in _MODULES:
        importlib.import_module(_MODULES[name])  # registers it
    if name not in _OPENERS:
        raise UnknownStore(name)
    return _OPENERS[name]


def publish_build(settings: object, index_dir: Path) -> str | None:
    """After a build wrote ``index_dir``: copy it into the store ``settings.store`` names, if that is
    not the local one. Returns a line saying what was done (None for the local store)."""
    name = _store_name(settings)
    if name == "local":
        return None
    _opener(name)
    publisher = _PUBLISHERS.get(name)
    return publisher(settings, Path(index_dir)) if publisher else None


def open_backend(
    settings: object, index_dir: Path | None = None, on_manifest: Callable[[Manifest], None] | None = None
) -> Backend:
    """The backend ``settings.store`` names, opened on the live generation of ``index_dir``
    (``on_manifest`` sees the manifest before anything else is loaded)."""
    opener = _opener(_store_name(settings))
    return opener(settings, Path(index_dir or settings.index_dir), on_manifest)  # type: ignore[attr-defined]
