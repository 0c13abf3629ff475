"""Plain text: the document is the decoded file, byte for byte; segments are its paragraphs."""

from __future__ import annotations

from pathlib import Path

from index.ingest.documents import Document, Segment
from index.ingest.loaders._common import paragraph_spans, read_text


def load_text(path: Path, source: str) -> Document:
    text = read_text(path)
    segments = [Segment(start, end) for start, end in paragraph_spans(text)]
    return Document(source=source, text=text, segments=segments)
