"""Document loaders: turn a folder of .txt, .md, .html, .pdf and BEIR .jsonl files into Documents.

Which files of the folder are read is decided by ``index.ingest.discovery`` (ignore rules,
symlinks, secrets, hidden files). ``load_folder`` never fails because of one bad file: it skips
it, logs a warning on the ``citebot.loaders`` logger and lists it in ``LoadResult.skipped``;
``LoadResult.counts`` counts every file left out, by reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.ingest.discovery import Policy, Skipped, discover
from index.ingest.documents import Document
from index.ingest.loaders._common import LoaderError, log
from index.ingest.loaders.beir import iter_beir_corpus
from index.ingest.loaders.html import load_html
from index.ingest.loaders.markdown import load_markdown
from index.ingest.loaders.pdf import load_pdf
from index.ingest.loaders.text import load_text

if TYPE_CHECKING:
    from index.settings import Settings

__all__ = [
    "SUPPORTED_SUFFIXES",
    "LoadResult",
    "LoaderError",
    "Skipped",
    "iter_beir_corpus",
    "load_file",
    "load_folder",
]


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # the files a user is warned about
    counts: Counter[str] = field(default_factory=Counter)  # every file left out, by reason


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


def _reason_kind(reason: str) -> str:
    """A loader's reason without its details ("not UTF-8 text (invalid byte at offset 3)" → "not UTF-8 text")."""
    return reason.split(" (", 1)[0]


def load_folder(docs_dir: Path, settings: Settings | None = None) -> LoadResult:
    """Every document under ``docs_dir`` that discovery lets through (recursively, in path order)."""
    found = discover(
        Path(docs_dir),
        lambda name: Path(name).suffix.lower() in SUPPORTED_SUFFIXES,
        Policy.from_settings(settings) if settings is not None else Policy(),
    )
    result = LoadResult(skipped=list(found.skipped), counts=Counter(found.counts))
    seen: set[str] = set()
    for file in found.files:
        source, path = file.source, file.path
        try:
            documents = load_file(path, source)
        except Exception as exc:  # LoaderError, or a library bug on a strange file: never fail the load
            reason = (
                exc.reason
                if isinstance(exc, LoaderError)
                else f"loader failed ({exc.__class__.__name__}: {exc})"
            )
            result.skipped.append(Skipped(source, reason))
            result.counts[_reason_kind(reason)] += 1
            log.warning("skipping %s: %s", source, reason)
            continue
        for doc in documents:
            if doc.source in seen:
                log.warning("%s: duplicate document id %r, keeping the first one", source, doc.source)
                continue
            seen.add(doc.source)
            result.documents.append(doc)
    return result
