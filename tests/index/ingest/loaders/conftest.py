"""Helpers for the loader tests: write fixture files, read blocks back as (kind, display, context)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from index.models.documents import Document

ROOT = Path(__file__).resolve().parents[4]
SHARED_DOCSQA = ROOT.parent / "shared" / "data" / "docsqa"


def shown(doc: Document) -> list[tuple[str, str, str]]:
    return [(b.kind, b.display_text(doc.text), b.context) for b in doc.blocks]


def assert_well_formed(doc: Document) -> None:
    """Every block fits its text (Block.check), blocks are in source order and never overlap."""
    prev = 0
    for b in doc.blocks:
        b.check(doc.text)
        assert b.start >= prev, (doc.source, b)
        assert b.start < b.end
        prev = b.end


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    def _write(rel: str, content: str | bytes) -> Path:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write
