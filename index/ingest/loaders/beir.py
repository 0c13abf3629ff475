"""BEIR corpus.jsonl: one ``{"_id", "title", "text"}`` object per line, one document each.

The document text is ``title + "\\n" + text`` (just ``text`` without a title), with a title
block and a body block whose context is the title.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

from index.ingest.loaders._common import LoaderError, log
from index.models.documents import PARAGRAPH, Block, Document

# this many bad lines before the first good one and the file is not a BEIR corpus at all
MAX_LEADING_BAD_LINES = 5


def parse_record(line: bytes | str) -> Document | None:
    """One corpus line as a document; None for a record without any text; ValueError if malformed."""
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    doc_id, body, title = record.get("_id"), record.get("text"), record.get("title") or ""
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or str(doc_id) == "":
        raise ValueError("missing or invalid _id")
    if not isinstance(body, str):
        raise ValueError("missing or invalid text")
    if not isinstance(title, str):
        raise ValueError("invalid title")

    title = title.strip()
    text = f"{title}\n{body}" if title else body
    blocks = [Block(PARAGRAPH, 0, len(title), context=title, wrapped=False)] if title else []
    offset = len(text) - len(body)
    stripped = body.strip()
    if stripped:
        start = offset + len(body) - len(body.lstrip())
        blocks.append(Block(PARAGRAPH, start, start + len(stripped), context=title, wrapped=True))
    if not blocks:
        return None
    return Document(source=str(doc_id), text=text, blocks=blocks, title=title, format="beir")


def iter_beir_corpus(path: Path) -> Iterator[Document]:
    """Stream the documents of a BEIR ``corpus.jsonl``, skipping (and logging) malformed lines.

    Raises LoaderError if the file is not a BEIR corpus (its first lines are all malformed)
    or holds no document with text.
    """
    valid = yielded = 0
    early_bad: list[tuple[int, str]] = []  # held back until we know the file is a BEIR corpus
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            try:
                doc = parse_record(line)
            except ValueError as exc:  # includes JSON and UTF-8 decoding errors
                if valid:
                    _warn_bad_line(path, number, str(exc))
                    continue
                early_bad.append((number, str(exc)))
                if len(early_bad) >= MAX_LEADING_BAD_LINES:
                    break
                continue
            if not valid:
                for bad in early_bad:
                    _warn_bad_line(path, *bad)
            valid += 1
            if doc is not None:
                yielded += 1
                yield doc
    if not valid and early_bad:
        number, reason = early_bad[0]
        raise LoaderError(f"not a BEIR corpus (line {number}: {reason})")
    if not yielded:
        raise LoaderError("no document with text")


def _warn_bad_line(path: Path, number: int, reason: str) -> None:
    log.warning("%s: line %d: skipped malformed line (%s)", path, number, reason)
