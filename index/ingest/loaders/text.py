"""Plain text: the document is the decoded file, byte for byte; blocks are its paragraphs."""

from __future__ import annotations

from pathlib import Path

from index.ingest.loaders._common import paragraph_spans, read_text
from index.models.documents import PARAGRAPH, Block, Document


def load_text(path: Path, source: str) -> Document:
    text = read_text(path)
    blocks = [Block(PARAGRAPH, start, end) for start, end in paragraph_spans(text)]
    return Document(source=source, text=text, blocks=blocks)
