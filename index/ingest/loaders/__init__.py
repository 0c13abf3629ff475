"""Document loaders: turn a folder of .txt, .md, .html, .pdf and BEIR .jsonl files into Documents.

``load_folder`` never fails because of one bad file: it skips it, logs a warning on the
``citebot.loaders`` logger and lists it in ``LoadResult.skipped``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import DocsNotFound
from index.ingest.documents import Document
from index.ingest.loaders._common import LoaderError, log
from index.ingest.loaders.beir import iter_beir_corpus
from index.ingest.loaders.html import load_html
from index.ingest.loaders.markdown import load_markdown
from index.ingest.loaders.pdf import load_pdf
from index.ingest.loaders.text import load_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "LoadResult",
    "LoaderError",
    "Skipped",
    "iter_beir_corpus",
    "load_file",
    "load_folder",
]


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _load_beir(path: Path, source: str) -> list[Document]:
    return list(iter_beir_corpus(path))


def _one(loader: Callable[[Path, str], Document]) -> Callable[[Path, str], list[Document]]:
    return lambda path, source: [loader(path, source)]


_LOADERS: dict[str, Callable[[Path, str], list[Document]]] = {
    ".txt": _one(load_text),
    ".md": _one(load_markdown),
    ".markdown": _one(load_markdown),
    ".html": _one(load_html),
    ".htm": _one(load_html),
    ".pdf": _one(load_pdf),
    ".jsonl": _load_beir,
}
SUPPORTED_SUFFIXES = frozenset(_LOADERS)


def load_file(path: Path, source: str) -> list[Document]:
    """The documents in one file (several for a BEIR corpus, whose sources are the ``_id``s).

    Raises LoaderError with a short reason for a file that cannot be loaded.
    """
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoaderError(f"unsupported file type {path.suffix or '(no extension)'}")
    try:
        if path.stat().st_size == 0:
            raise LoaderError("empty file")
        return loader(path, source)
    except OSError as exc:
        raise LoaderError(f"unreadable ({exc.strerror or exc})") from None


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _candidate_files(docs_dir: Path, skipped: list[Skipped]) -> list[tuple[str, Path]]:
    """(source, path) of every visible file with a supported suffix, sorted by source."""

    def unreadable_dir(exc: OSError) -> None:
        rel = Path(exc.filename).relative_to(docs_dir).as_posix() if exc.filename else str(docs_dir)
        skipped.append(Skipped(rel, f"unreadable folder ({exc.strerror or exc})"))
        log.warning("skipping %s: unreadable folder (%s)", exc.filename, exc.strerror or exc)

    found = []
    for dirpath, dirnames, filenames in os.walk(docs_dir, onerror=unreadable_dir):
        dirnames[:] = [d for d in dirnames if not _hidden(d)]
        for name in filenames:
            path = Path(dirpath, name)
            if not _hidden(name) and path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append((path.relative_to(docs_dir).as_posix(), path))
    return sorted(found)


def load_folder(docs_dir: Path) -> LoadResult:
    """Every document under ``docs_dir`` (recursively, in path order, hidden files ignored)."""
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise DocsNotFound(docs_dir)
    result = LoadResult()
    seen: set[str] = set()
    for source, path in _candidate_files(docs_dir, result.skipped):
        try:
            documents = load_file(path, source)
        except Exception as exc:  # LoaderError, or a library bug on a strange file: never fail the load
            reason = (
                exc.reason
                if isinstance(exc, LoaderError)
                else f"loader failed ({exc.__class__.__name__}: {exc})"
            )
            result.skipped.append(Skipped(source, reason))
            log.warning("skipping %s: %s", source, reason)
            continue
        for doc in documents:
            if doc.source in seen:
                log.warning("%s: duplicate document id %r, keeping the first one", source, doc.source)
                continue
            seen.add(doc.source)
            result.documents.append(doc)
    return result
