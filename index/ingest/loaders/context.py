"""What the loaders of one folder share: the corpus root, include resolution, collected problems.

A page that includes code (``--8<-- "a.py"``, ``{* a.py hl[3] *}``, ``.. literalinclude:: a.py``)
does not copy it into its own text: ``include_code`` records code blocks of the *included* file at
its real lines, with the page's heading path as their context, and ``finish`` puts them into that
file's one Document (made for it, or the one the folder walk loaded, whose overlapping blocks give
way). A page that includes another page (Markdown or reStructuredText) has that page loaded as a
document of its own (``include_document``), its contexts prefixed with the includer's heading path
(also when the folder walk loaded it, if it is a fragment without a title of its own).

Includes that cannot be resolved are never indexed as text: they are collected in ``unresolved``
(for the build summary), as are API-reference directives that have no text of their own.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from index.ingest.discovery import is_secret_name
from index.ingest.loaders._align import Lines, code_block
from index.ingest.loaders._common import LoaderError, read_text
from index.ingest.loaders.includes import IncludeError, Range
from index.ingest.loaders.languages import language_of
from index.models.documents import CODE, DOCS, SOURCE, Block, Document


@dataclass(frozen=True)
class Unresolved:
    includer: str  # the including document's source
    line: int  # 1-based line of the include in it
    target: str  # as written
    reason: str

    def __str__(self) -> str:
        return f"{self.includer}:{self.line} → {self.target} ({self.reason})"


LoadAs = Callable[[str, Path, str, "LoadContext"], Document]  # (format, path, source, ctx)


class LoadContext:
    def __init__(self, root: Path, load_as: LoadAs | None = None) -> None:
        self.root = Path(root).resolve()
        self.unresolved: list[Unresolved] = []
        self.api_directives: Counter[str] = Counter()  # source → API-reference directives skipped
        self.resolved = 0  # includes followed
        self._load_as = load_as
        self._texts: dict[Path, str] = {}
        self._code: dict[str, list[Block]] = {}
        self._code_paths: dict[str, Path] = {}
        self._pages: dict[str, tuple[str, Path, str]] = {}  # source → (format, path, context prefix)

    # -- resolution -------------------------------------------------------------------------
    def source_of(self, path: Path) -> str | None:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def resolve(self, includer: Path, target: str, *, absolute_base: Path | None = None) -> Path:
        """The file ``target`` names, looked up from the including file's folder, then each parent
        folder up to the corpus root (so paths written relative to the docs root or the repository
        root resolve too); absolute paths are relative to ``absolute_base`` (Sphinx: the folder of
        ``conf.py``) or the root. Raises IncludeError when it is missing or outside the corpus (a
        symbolic link out of it included), or is a hidden or a key/credentials file: an include never
        reads what the folder walk would refuse to."""
        target = target.strip()
        if "://" in target:
            raise IncludeError("remote file, not fetched")
        rel = PurePosixPath(target.replace("\\", "/"))
        if rel.is_absolute():
            bases = [absolute_base or self.root, self.root]
            rel = rel.relative_to("/")
        else:
            bases = []
            folder = Path(includer).resolve().parent
            while True:
                bases.append(folder)
                if folder == self.root or self.root not in folder.parents:
                    break
                folder = folder.parent
        outside = False
        for base in bases:
            candidate = (base / rel).resolve()
            if candidate != self.root and self.root not in candidate.parents:
                outside = True
                continue
            if candidate.is_file():
                inside = candidate.relative_to(self.root).parts
                if any(part.startswith(".") for part in inside):
                    raise IncludeError("a hidden file (never indexed)")
                if is_secret_name(candidate.name):
                    raise IncludeError("a key or credentials file (never indexed)")
                return candidate
        raise IncludeError("outside the docs folder" if outside else "file not found")

    def text_of(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = read_text(path)
            except LoaderError as exc:
                raise IncludeError(exc.reason) from None
            except OSError as exc:
                raise IncludeError(f"unreadable ({exc.strerror or exc})") from None
        return self._texts[path]

    # -- recording ----------------------------------------------------------------------------
    def unresolved_include(self, includer: str, line: int, target: str, reason: str) -> None:
        self.unresolved.append(Unresolved(includer, line, target, reason))

    def api_directive(self, source: str) -> None:
        self.api_directives[source] += 1

    def include_code(
        self,
        includer: str,
        line: int,
        path: Path,
        ranges: list[Range],
        *,
        context: str,
        language: str = "",
    ) -> int:
        """Record code blocks of ``path`` over ``ranges`` (0-based line ranges); returns how many."""
        source = self.source_of(path)
        if source is None:
            raise IncludeError("outside the docs folder")
        text = self.text_of(path)
        lines = Lines(text)
        language = language or language_of(path)
        made = 0
        for lo, hi in ranges:
            block = code_block(
                text,
                lines,
                lo,
                [lines.line(i) for i in range(lo, hi)],
                context=context,
                language=language,
                included_from=f"{includer}:{line}",
            )
            if block is not None:
                self._code.setdefault(source, []).append(block)
                made += 1
        self._code_paths[source] = path
        self.resolved += 1
        return made

    def include_document(self, fmt: str, path: Path, context: str) -> None:
        """Have the page at ``path`` loaded as a document of its own (once), under ``context``."""
        source = self.source_of(path)
        if source is None:
            raise IncludeError("outside the docs folder")
        self._pages.setdefault(source, (fmt, path, context))
        self.resolved += 1

    @property
    def included_pages(self) -> frozenset[str]:
        """The sources of pages that another page includes (their context is the includer's)."""
        return frozenset(self._pages)

    # -- the end of a folder load -----------------------------------------------------------
    def finish(self, documents: list[Document]) -> list[Document]:
        """``documents`` with the included pages and included code merged in, in source order."""
        by_source = {d.source: d for d in documents}
        for source, (_, _, prefix) in self._pages.items():
            doc = by_source.get(source)
            if doc is not None and not doc.title:  # a fragment indexed on its own: give it the page's path
                doc.blocks = [_prefixed(b, prefix) for b in doc.blocks]
        done: set[str] = set()
        while todo := [s for s in self._pages if s not in by_source and s not in done]:
            for source in todo:
                done.add(source)
                fmt, path, prefix = self._pages[source]
                if self._load_as is None:
                    continue
                try:
                    doc = self._load_as(fmt, path, source, self)
                except LoaderError as exc:
                    self.unresolved_include(source, 1, source, exc.reason)
                    continue
                doc.blocks = [_prefixed(b, prefix) for b in doc.blocks]
                by_source[source] = doc
        for source, blocks in self._code.items():
            included = _union(blocks)
            doc = by_source.get(source)
            if doc is None:
                path = self._code_paths[source]
                by_source[source] = Document(
                    source=source, text=self.text_of(path), blocks=included, format="code", role=DOCS
                )
                continue
            doc.blocks = _merged(doc.blocks, included, doc.text)
            if doc.role == SOURCE:
                doc.role = DOCS  # shown by the docs: as current as they are
            for b in doc.blocks:
                b.check(doc.text)
        return [by_source[s] for s in sorted(by_source)]


def _prefixed(block: Block, prefix: str) -> Block:
    if not prefix:
        return block
    return dataclasses.replace(block, context=f"{prefix} > {block.context}" if block.context else prefix)


def _union(blocks: list[Block]) -> list[Block]:
    """Included code blocks in source order; overlapping ones (two pages showing overlapping
    lines) become one block over both, with the first page's context."""
    out: list[Block] = []
    for b in sorted(blocks, key=lambda b: (b.start, -b.end)):
        if out and b.start < out[-1].end:
            if b.end > out[-1].end and out[-1].display is None and b.display is None:
                out[-1] = dataclasses.replace(out[-1], end=b.end)
            continue
        out.append(b)
    return out


def _merged(own: list[Block], included: list[Block], text: str) -> list[Block]:
    """``own`` blocks minus what ``included`` covers (code blocks are cut to the lines outside it,
    other overlapping blocks give way), plus ``included``, in source order."""
    kept: list[Block] = []
    for b in own:
        overlapping = [r for r in included if r.start < b.end and b.start < r.end]
        if not overlapping:
            kept.append(b)
            continue
        if b.kind != CODE or b.display is not None:
            continue
        pos = b.start
        for r in overlapping + [None]:
            lo, hi = pos, (r.start if r is not None else b.end)
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if lo < hi:
                kept.append(dataclasses.replace(b, start=lo, end=hi))
            if r is not None:
                pos = max(pos, r.end)
    return sorted(kept + included, key=lambda b: b.start)
