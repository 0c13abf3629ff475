"""Fixtures of the query tests: a small docs folder built into an index with the real model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.ingest.builder import build_index
from index.settings import Settings


@pytest.fixture
def one_page_index(tmp_path, real_embedder) -> Callable[[str, str], Settings]:  # noqa: ANN001
    """``build(name, text)``: a docs folder holding one page, indexed; its settings (never abstaining)."""

    def build(name: str, text: str) -> Settings:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / name).write_text(text, encoding="utf-8")
        settings = Settings(docs_dir=docs, index_dir=tmp_path / "index", abstain_threshold=0.0)
        build_index(settings, embedder=real_embedder)
        return settings

    return build
