"""Units: what is embedded, searched and quoted, each with two texts.

A unit is one sentence of a prose block, or one whole code block. Headings are context, not units.

* A prose block is split into sentences on its **display** text (markup rendered: what the model,
  BM25 and people see), and each sentence is mapped back to its **source** span with
  ``Block.source_span``: the quote is ``document_text[start:end]``, verbatim by construction.
  A block without display text (plain text, HTML and PDF extracts) is split in place, exactly as
  before display text existed.
* A code block is one unit, never cut into sentences, its display text whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from index.ingest.sentences import split_block
from index.models.documents import CODE, HEADING, PARAGRAPH, Block, Document


@dataclass(frozen=True, slots=True)
class RawUnit:
    block: int  # index of its block in the document
    start: int  # its source span: document_text[start:end] is the quote
    end: int
    display: str  # what is embedded, searched and shown
    display_start: int  # where ``display`` starts in its block's display text


def block_units(doc: Document, b: int) -> Iterator[RawUnit]:
    """The units of block ``b`` of ``doc``, in order."""
    block = doc.blocks[b]
    if block.kind == HEADING or block.start >= block.end:
        return
    if block.kind == CODE:
        yield RawUnit(b, block.start, block.end, block.display_text(doc.text), 0)
        return
    if block.display is None:  # split in place: identical to splitting the source
        for s, e in split_block(doc.text, block):
            yield RawUnit(b, s, e, doc.text[s:e], s - block.start)
        return
    display = block.display
    for ds, de in split_block(display, Block(PARAGRAPH, 0, len(display), wrapped=block.wrapped)):
        s, e = block.source_span(ds, de, doc.text)
        yield RawUnit(b, s, e, display[ds:de], ds)


def document_units(doc: Document) -> Iterator[RawUnit]:
    """Every unit of a document, in document order."""
    for b in range(len(doc.blocks)):
        yield from block_units(doc, b)


def piece_span(doc: Document, unit: RawUnit, lo: int, hi: int) -> tuple[int, int]:
    """The source span of ``unit.display[lo:hi]`` (a piece of a prose unit cut at the token budget)."""
    block = doc.blocks[unit.block]
    return block.source_span(unit.display_start + lo, unit.display_start + hi, doc.text)
