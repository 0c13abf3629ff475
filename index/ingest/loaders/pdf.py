"""PDF: the document is the pages' extracted text joined by blank lines; blocks never cross pages."""

from __future__ import annotations

from pathlib import Path

from pypdf import PasswordType, PdfReader

from index.ingest.loaders._common import LoaderError, paragraph_spans
from index.models.documents import PARAGRAPH, Block, Document

PAGE_SEPARATOR = "\n\n"


def _page_texts(path: Path) -> list[str]:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise LoaderError("encrypted PDF (needs a password)")
        return [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError...) on bad files
        raise LoaderError(f"unreadable PDF ({exc.__class__.__name__}: {exc})") from None


def load_pdf(path: Path, source: str) -> Document:
    pages = _page_texts(path)
    segments: list[Block] = []
    pos = 0
    for number, page_text in enumerate(pages, start=1):
        for start, end in paragraph_spans(page_text):
            segments.append(Block(PARAGRAPH, pos + start, pos + end, page=number, wrapped=True))
        pos += len(page_text) + len(PAGE_SEPARATOR)
    if not segments:
        raise LoaderError("no extractable text (scanned?)")
    return Document(source=source, text=PAGE_SEPARATOR.join(pages), blocks=segments, format="pdf")
