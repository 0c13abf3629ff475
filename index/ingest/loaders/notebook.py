"""Jupyter notebooks through nbformat: markdown cells as prose, code cells as code, outputs skipped.

A notebook's source text is its cells' sources (markdown and code; raw cells and outputs left
out) joined by a blank line, so quotes are the cells' own text rather than the ``.ipynb`` JSON with
its escapes. ``Block.cell`` is the 1-based position of the cell in the notebook ("cell 3"), and a
block's line within its cell is its line minus the cell's first line. Markdown cells go through
the Markdown loader (their headings are the context of the cells that follow); code cells are one
code block each, in the kernel's language.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat

from index.ingest.loaders._align import Lines, code_block
from index.ingest.loaders._common import LoaderError, read_text
from index.ingest.loaders.context import LoadContext
from index.ingest.loaders.markdown import MarkdownWalker
from index.models.documents import Document

CELL_SEPARATOR = "\n\n"


def load_notebook(path: Path, source: str, ctx: LoadContext | None = None) -> Document:
    raw = read_text(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(raw, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, an unknown nbformat version
        raise LoaderError(f"not a Jupyter notebook ({exc.__class__.__name__})") from None
    meta = nb.get("metadata", {})
    language = (meta.get("kernelspec", {}) or {}).get("language") or (
        meta.get("language_info", {}) or {}
    ).get("name", "")
    cells: list[tuple[int, str, int, int]] = []  # (1-based cell, type, start, end) in the joined text
    parts: list[str] = []
    pos = 0
    for number, cell in enumerate(nb.get("cells", []), start=1):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if cell.get("cell_type") not in ("markdown", "code") or not src.strip():
            continue
        if parts:
            parts.append(CELL_SEPARATOR)
            pos += len(CELL_SEPARATOR)
        parts.append(src)
        cells.append((number, cell["cell_type"], pos, pos + len(src)))
        pos += len(src)
    text = "".join(parts)
    if not text.strip():
        raise LoaderError("empty notebook")
    lines = Lines(text)
    ctx = ctx or LoadContext(path.parent)
    walker = MarkdownWalker(text, lines, source, path, ctx)
    for number, kind, start, end in cells:
        first, last = lines.line_index(start), lines.line_index(end - 1) + 1
        walker.cell = number
        if kind == "markdown":
            walker.parse(first, last)
            continue
        block = code_block(
            text,
            lines,
            first,
            [lines.line(i) for i in range(first, last)],
            context=walker.context_at(first),
            language=language,
            cell=number,
        )
        if block is not None:
            walker.blocks.append(block)
    blocks = walker.finish()
    if not blocks:
        raise LoaderError("no text found")
    title = walker.title or str(meta.get("title", "") or "")
    return Document(source=source, text=text, blocks=blocks, title=title, format="notebook")
