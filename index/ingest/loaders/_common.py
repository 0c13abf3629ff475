"""Helpers shared by the format loaders: the error type, text decoding, paragraph spans."""

from __future__ import annotations

import logging
from pathlib import Path

from index.errors import CitebotError

log = logging.getLogger("citebot.loaders")

BINARY_SNIFF_BYTES = 8192


class LoaderError(CitebotError):
    """A file that cannot be turned into a document; ``reason`` is short and human-readable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes (UTF-8, BOM dropped) after rejecting binary and empty files."""
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        raise LoaderError("binary file (NUL byte)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise LoaderError("empty file")
    return text


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes())


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the blank-line-separated paragraphs of ``text[start:end]``, trimmed of whitespace."""
    spans: list[tuple[int, int]] = []
    para: tuple[int, int] | None = None
    pos = start
    for line in text[start:end].splitlines(keepends=True):
        if line.strip():
            first = pos + len(line) - len(line.lstrip())
            para = (para[0] if para else first, pos + len(line.rstrip()))
        elif para:
            spans.append(para)
            para = None
        pos += len(line)
    if para:
        spans.append(para)
    return spans


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())
