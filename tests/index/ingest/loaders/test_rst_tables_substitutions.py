"""reStructuredText substitutions (the page's own and Sphinx conf.py's) and every table flavour
(grid, simple, list-table, csv-table) as table rows with display text."""

from __future__ import annotations

from pathlib import Path

from index.ingest.loaders import load_folder
from index.ingest.loaders.residue import residue
from index.ingest.loaders.sphinx_conf import conf_substitutions
from index.models.documents import TABLE_ROW
from tests.index.ingest.loaders.conftest import assert_well_formed

CONF = '''\
import os
project = "Widget"
version = "1.2"
release = "1.2.3"
author = os.environ.get("AUTHOR", "me")  # computed: unknown
rst_epilog = """
.. |tool| replace:: the **widget** tool
"""
'''

PAGE = """\
Guide
=====

Release v\\ |version|. Use |name| with |tool| and |copy| by |author|, see |logo| and |link|_.

.. |name| replace:: *Widget* Pro
.. |copy| unicode:: U+000A9 .. COPYRIGHT SIGN
.. |logo| image:: logo.png
   :alt: the Widget logo
.. |link| replace:: the site
.. _link: https://example.com

+------------+------------+
| Header 1   | Header 2   |
+============+============+
| cell **a** | cell `b`   |
| more a     |            |
+------------+------------+
| row 2      | - item x   |
|            | - item y   |
+------------+------------+

.. list-table:: Options
   :header-rows: 1

   * - Name
     - Meaning
   * - ``timeout``
     - How long to *wait*, see :func:`get`.
   * - ``verify``
     - Whether to check TLS.

.. csv-table:: Sizes
   :header: "Size", "Bytes"

   "small", 10
   "large", 1000

=====  =====
A      B
=====  =====
x      y
=====  =====
"""


def _load(write, tmp_path: Path):  # noqa: ANN001, ANN202
    write("docs/conf.py", CONF)
    write("docs/index.rst", PAGE)
    (doc,) = load_folder(tmp_path).documents
    assert_well_formed(doc)
    return doc


def test_conf_py_values_and_epilog_definitions_without_running_it(tmp_path: Path) -> None:
    conf = tmp_path / "conf.py"
    conf.write_text(CONF)
    assert conf_substitutions(conf) == {
        "version": "1.2",
        "release": "1.2.3",
        "project": "Widget",
        "tool": "the widget tool",
    }
    conf.write_text("version = (\n")  # not Python: no substitutions, no failure
    assert conf_substitutions(conf) == {}
    assert conf_substitutions(tmp_path / "missing.py") == {}


def test_substitutions_show_their_text(write, tmp_path: Path) -> None:
    doc = _load(write, tmp_path)
    para = doc.blocks[1]
    assert para.display_text(doc.text) == (
        "Release v1.2. Use Widget Pro with the widget tool and © by, see the Widget logo and the site."
    )  # |author| is computed by conf.py at build time: unknown here, shown as nothing
    assert residue(para.display_text(doc.text)) == []


def test_every_table_flavour_gives_rows_with_display_text(write, tmp_path: Path) -> None:
    doc = _load(write, tmp_path)
    rows = [(doc.line_of(b.start), b.display_text(doc.text), b.context) for b in doc.blocks if b.kind == TABLE_ROW]
    assert rows == [
        (16, "Header 1: cell a more a | Header 2: cell b", "Guide"),  # grid: a row over two lines
        (19, "Header 1: row 2 | Header 2: item x item y", "Guide"),  # a list inside a cell
        (28, "Name: `timeout` | Meaning: How long to wait, see `get`.", "Guide > Options"),  # list-table
        (30, "Name: `verify` | Meaning: Whether to check TLS.", "Guide > Options"),
        (36, "Size: small | Bytes: 10", "Guide > Sizes"),  # csv-table
        (37, "Size: large | Bytes: 1000", "Guide > Sizes"),
        (42, "A: x | B: y", "Guide"),  # simple table
    ]
    for b in doc.blocks:
        if b.kind == TABLE_ROW:
            assert residue(b.display_text(doc.text)) == []
            # a list-table row spans its cells' lines, so a quote of its second cell is inside it
            assert doc.text[b.start : b.end].strip()
    verify = next(b for b in doc.blocks if b.kind == TABLE_ROW and "verify" in b.display_text(doc.text))
    assert doc.text[verify.start : verify.end] == "``verify``\n     - Whether to check TLS."
    display = verify.display_text(doc.text)
    d = display.index("Whether")
    s, e = verify.source_span(d, len(display), doc.text)
    assert doc.text[s:e] == "Whether to check TLS."
