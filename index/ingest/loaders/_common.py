"""Helpers shared by the format loaders: the error type, text decoding, paragraph spans.

How a file's bytes become text (``decode_text``), for every format read as text:

- A byte-order mark says the encoding: UTF-32 (LE/BE), UTF-8 or UTF-16 (LE/BE); the mark is dropped.
  Without one, the file must be UTF-8. Bytes that are not valid in the encoding refuse the file.
- A NUL anywhere (a NUL byte in a UTF-8 file, a U+0000 character in any) refuses the file as binary.
- Every other control character — C0 controls but tab, line feed, carriage return and form feed;
  DEL; C1 controls; the bidirectional embedding, override and isolate characters (U+202A–U+202E,
  U+2066–U+2069, which can make a quote display differently from what it says) — is replaced by one
  space (``index.ingest.controls``: the same rule questions get). One character for one keeps every
  offset and line number of the file.

``scrub_document`` applies the same replacement to any document (PDF and JSON text too, where a NUL
is extraction debris and becomes a space like the other controls): ``load_folder`` runs it on every
document, so no quote ever carries an invisible character.
"""

from __future__ import annotations

import codecs
import dataclasses
import logging
from pathlib import Path

from index.errors import CitebotError
from index.ingest.controls import has_controls, strip_controls
from index.models.documents import Document

log = logging.getLogger("citebot.loaders")

# (mark, codec); UTF-32 LE first: its mark starts with UTF-16 LE's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class LoaderError(CitebotError):
    """A file that cannot be turned into a document; ``reason`` is short and human-readable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _encoding(data: bytes) -> tuple[str, int]:
    """The codec a file's byte-order mark names (UTF-8 without one) and the mark's length."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec.startswith("utf-32") and len(data) % 4:
                continue  # FF FE 00 00 can also be UTF-16 LE text starting with U+0000; sizes tell
            return codec, len(bom)
    return "utf-8", 0


def decode_text(data: bytes) -> str:
    """A text file's bytes as text (rules in the module docstring); LoaderError for binary, badly
    encoded or empty files."""
    codec, skip = _encoding(data)
    name = codec.upper().replace("-LE", "").replace("-BE", "")
    if codec == "utf-8" and (nul := data.find(b"\0")) != -1:
        raise LoaderError(f"binary file (NUL byte at offset {nul})")
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise LoaderError(f"not {name} text (invalid byte at offset {skip + exc.start})") from None
    if (nul := text.find("\0")) != -1:
        raise LoaderError(f"binary file (NUL character at offset {nul})")
    text = strip_controls(text)
    if not text.strip():
        raise LoaderError("empty file")
    return text


def scrub_document(doc: Document) -> Document:
    """``doc`` with ``strip_controls`` applied to its text, display texts, contexts and title (a NUL
    too: in extracted text it is debris). ``doc`` itself when there is nothing to replace."""
    texts = (doc.text, doc.title, *(b.context for b in doc.blocks), *(b.display or "" for b in doc.blocks))
    if not any(has_controls(t) for t in texts):
        return doc
    blocks = [
        dataclasses.replace(
            b, context=strip_controls(b.context), display=None if b.display is None else strip_controls(b.display)
        )
        for b in doc.blocks
    ]
    return dataclasses.replace(doc, text=strip_controls(doc.text), blocks=blocks, title=strip_controls(doc.title))


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
