"""Jupyter notebooks through nbformat: markdown cells as prose, code cells as code, outputs skipped."""

from __future__ import annotations

import json

import pytest

from index.ingest.loaders import LoaderError, load_file
from index.models.documents import CODE
from tests.index.ingest.loaders.conftest import assert_well_formed, shown


def notebook(cells: list[dict], language: str = "python") -> str:
    return json.dumps(
        {
            "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "language": language, "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def md(src: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": src.splitlines(keepends=True)}


def code(src: str) -> dict:
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": 1,
        "source": src,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["OUTPUT NOT INDEXED\n"]}],
    }


def test_cells_become_blocks_with_their_cell_number(write) -> None:
    content = notebook(
        [
            md("# Streaming\n\nUse **stream** to read big bodies:"),
            code("with httpx.stream('GET', url) as r:\n    for chunk in r.iter_bytes():\n        ..."),
            {"cell_type": "raw", "metadata": {}, "source": "raw cells are left out"},
            md("## Notes\n\n- one `item`"),
            code(""),
            code("print('done')"),
        ]
    )
    (doc,) = load_file(write("nb/stream.ipynb", content), "nb/stream.ipynb")
    assert_well_formed(doc)
    assert doc.format == "notebook" and doc.title == "Streaming"
    assert shown(doc) == [
        ("heading", "Streaming", ""),
        ("paragraph", "Use stream to read big bodies:", "Streaming"),
        (
            "code",
            "with httpx.stream('GET', url) as r:\n    for chunk in r.iter_bytes():\n        ...",
            "Streaming",
        ),
        ("heading", "Notes", "Streaming"),
        ("list_item", "one `item`", "Streaming > Notes"),
        ("code", "print('done')", "Streaming > Notes"),
    ]
    assert [b.cell for b in doc.blocks] == [1, 1, 2, 4, 4, 6]
    assert doc.text.startswith("# Streaming\n\nUse **stream** to read big bodies:\n\nwith httpx.stream")
    assert "OUTPUT NOT INDEXED" not in doc.text and "raw cells" not in doc.text
    c = doc.blocks[2]
    assert (c.kind, c.language, c.display) == (CODE, "python", None)
    assert doc.blocks[1].lead_in


def test_a_broken_notebook_is_a_loader_error(write) -> None:
    with pytest.raises(LoaderError, match="not a Jupyter notebook"):
        load_file(write("bad.ipynb", "{not json"), "bad.ipynb")
