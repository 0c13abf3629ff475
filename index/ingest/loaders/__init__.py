"""Document loaders: turn a folder of documentation (Markdown, reStructuredText, notebooks, source
code, text, HTML, PDF, BEIR .jsonl) into Documents.

Which files of the folder are read is decided by ``index.ingest.discovery`` (ignore rules,
symlinks, secrets, hidden files); ``formats.classify`` says what each of them is, and the registry
below maps a format to its loader. ``load_folder`` never fails because of one bad file: it skips
it, logs a warning on the ``citebot.loaders`` logger and lists it in ``LoadResult.skipped``.
Files that are not documents (images, the site's CSS/JS, templates) are listed in
``LoadResult.not_indexed`` by reason, without a warning; ``LoadResult.counts`` counts every file
left out, by reason. A Markdown page or notebook without a ``# Title`` is titled from its front
matter, the mkdocs nav or its file name (``titles``). One ``LoadContext`` per folder resolves includes and collects what could not
be (``LoadResult.unresolved``) and the API-reference directives that were skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.ingest.discovery import Policy, Skipped, discover
from index.ingest.loaders._common import LoaderError, log, scrub_document
from index.ingest.loaders.beir import iter_beir_corpus
from index.ingest.loaders.code import load_code
from index.ingest.loaders.context import LoadContext, Unresolved
from index.ingest.loaders.formats import SKIP_UNSUPPORTED, classify, role_of
from index.ingest.loaders.html import load_html
from index.ingest.loaders.markdown import load_markdown
from index.ingest.loaders.notebook import load_notebook
from index.ingest.loaders.pdf import load_pdf
from index.ingest.loaders.rst import load_rst
from index.ingest.loaders.text import load_text
from index.ingest.loaders.titles import apply_titles
from index.models.documents import Document

if TYPE_CHECKING:
    from index.settings import Settings

__all__ = [
    "FORMATS",
    "LoadContext",
    "LoadResult",
    "LoaderError",
    "Skipped",
    "Unresolved",
    "iter_beir_corpus",
    "load_file",
    "load_folder",
]


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # the files a user is warned about
    counts: Counter[str] = field(default_factory=Counter)  # every file left out, by reason
    not_indexed: list[Skipped] = field(default_factory=list)  # not documents: images, CSS/JS, templates…
    unresolved: list[Unresolved] = field(default_factory=list)  # includes that could not be followed
    api_directives: dict[str, int] = field(default_factory=dict)  # source → API-reference directives skipped
    includes: int = 0  # includes followed


Loader = Callable[[Path, str, LoadContext], list[Document]]


def _one(loader: Callable[[Path, str, LoadContext], Document]) -> Loader:
    return lambda path, source, ctx: [loader(path, source, ctx)]


_LOADERS: dict[str, Loader] = {
    "text": _one(lambda path, source, ctx: load_text(path, source)),
    "markdown": _one(load_markdown),
    "rst": _one(load_rst),
    "notebook": _one(load_notebook),
    "code": _one(load_code),
    "html": _one(lambda path, source, ctx: load_html(path, source)),
    "pdf": _one(lambda path, source, ctx: load_pdf(path, source)),
    "beir": lambda path, source, ctx: list(iter_beir_corpus(path)),
}
FORMATS = frozenset(_LOADERS)


def _load_as(fmt: str, path: Path, source: str, ctx: LoadContext) -> Document:
    """One document of format ``fmt`` (an included page); LoaderError if it has none."""
    docs = load_file(path, source, ctx, fmt=fmt)
    if len(docs) != 1:
        raise LoaderError(f"{len(docs)} documents in an included file")
    return docs[0]


def load_file(
    path: Path, source: str, ctx: LoadContext | None = None, *, fmt: str | None = None
) -> list[Document]:
    """The documents in one file (several for a BEIR corpus, whose sources are the ``_id``s).

    Raises LoaderError with a short reason for a file that cannot be loaded.
    """
    if fmt is None:
        fmt, reason = classify(source, path)
        if fmt is None:
            raise LoaderError(f"unsupported file type {path.suffix or '(no extension)'} ({reason})")
    loader = _LOADERS.get(fmt)
    if loader is None:
        raise LoaderError(f"unsupported file type {path.suffix or '(no extension)'}")
    ctx = ctx or LoadContext(path.parent, _load_as)
    try:
        if path.stat().st_size == 0:
            raise LoaderError("empty file")
        documents = loader(path, source, ctx)
    except OSError as exc:
        raise LoaderError(f"unreadable ({exc.strerror or exc})") from None
    for doc in documents:
        if fmt != "beir":
            doc.role = role_of(source, doc.format)
    return documents


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _reason_kind(reason: str) -> str:
    """A loader's reason without its details ("not UTF-8 text (invalid byte at offset 3)" → "not UTF-8 text")."""
    return reason.split(" (", 1)[0]


def load_folder(docs_dir: Path, settings: Settings | None = None) -> LoadResult:
    """Every document under ``docs_dir`` that discovery lets through (recursively, in path order)."""
    found = discover(
        Path(docs_dir),
        lambda name: True,  # every file: ``classify`` says what it is, and counts what it is not
        Policy.from_settings(settings) if settings is not None else Policy(),
    )
    result = LoadResult(skipped=list(found.skipped), counts=Counter(found.counts))
    ctx = LoadContext(Path(docs_dir), _load_as)
    seen: set[str] = set()
    documents: list[Document] = []
    for file in found.files:
        source, path = file.source, file.path
        fmt, why_not = classify(source, path)
        if fmt == "code" and _empty(path):  # an empty ``__init__.py`` is normal, not a problem
            fmt, why_not = None, "empty source file"
        if fmt is None:
            result.not_indexed.append(Skipped(source, why_not or SKIP_UNSUPPORTED))
            result.counts[why_not or SKIP_UNSUPPORTED] += 1
            continue
        try:
            loaded = load_file(path, source, ctx, fmt=fmt)
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
        for doc in map(scrub_document, loaded):
            if doc.source in seen:
                log.warning("%s: duplicate document id %r, keeping the first one", source, doc.source)
                continue
            seen.add(doc.source)
            documents.append(doc)
    documents = ctx.finish(documents) if ctx.resolved else documents
    result.documents = apply_titles(documents, ctx.root, included=ctx.included_pages)
    result.unresolved = list(ctx.unresolved)
    result.api_directives = dict(ctx.api_directives)
    result.includes = ctx.resolved
    return result
