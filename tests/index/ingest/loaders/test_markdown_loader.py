"""Markdown through markdown-it: blocks, exact offsets and display text for each dialect."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.ingest.loaders import LoaderError, load_file
from index.models.documents import CODE, HEADING, LIST_ITEM, Document
from tests.index.ingest.loaders.conftest import assert_well_formed, shown

GUIDE = """\
---
title: The Citebot Guide
---
# Citebot Guide

Citebot answers **questions**
with [quoted](https://x.y/z "t") citations.

## Install

> Read this first,
> really.

- Use *pip* to install.
- Or build it
  from source:
    1. clone
    2. `make`

```bash
pip install citebot
```

<div align="center">
<p>raw <em>html</em> text</p>
</div>

### Linux

| Distro | Package |
|--------|---------|
| Debian | `citebot-deb` |

## Usage

Run `citebot ask` &amp; wait\\*.[^1]

Term
:   Its definition.

[^1]: A footnote.
"""


def load(write, name: str, content: str) -> Document:
    (doc,) = load_file(write(name, content), name)
    assert doc.text == content
    assert_well_formed(doc)
    return doc


def test_blocks_contexts_and_display_text(write) -> None:
    doc = load(write, "guide.md", GUIDE)
    assert doc.title == "The Citebot Guide"  # front matter wins over the first heading, as in mkdocs
    assert doc.format == "markdown"
    assert shown(doc) == [
        ("heading", "Citebot Guide", ""),
        ("paragraph", "Citebot answers questions with quoted citations.", "Citebot Guide"),
        ("heading", "Install", "Citebot Guide"),
        ("quote", "Read this first, really.", "Citebot Guide > Install"),
        ("list_item", "Use pip to install.", "Citebot Guide > Install"),
        ("list_item", "Or build it from source:", "Citebot Guide > Install"),
        ("list_item", "clone", "Citebot Guide > Install"),
        ("list_item", "`make`", "Citebot Guide > Install"),
        ("code", "pip install citebot", "Citebot Guide > Install"),
        ("paragraph", "raw html text", "Citebot Guide > Install"),
        ("heading", "Linux", "Citebot Guide > Install"),
        ("table_row", "Distro: Debian | Package: `citebot-deb`", "Citebot Guide > Install > Linux"),
        ("heading", "Usage", "Citebot Guide"),
        ("paragraph", "Run `citebot ask` & wait*.", "Citebot Guide > Usage"),
        ("definition", "Term: Its definition.", "Citebot Guide > Usage"),
        ("footnote", "A footnote.", "Citebot Guide > Usage"),
    ]
    by_display = {b.display_text(doc.text): b for b in doc.blocks}
    # source spans: exact, widened over markup glued to the ends, list markers left out
    src = {d: doc.text[b.start : b.end] for d, b in by_display.items()}
    assert src["Citebot answers questions with quoted citations."] == (
        'Citebot answers **questions**\nwith [quoted](https://x.y/z "t") citations.'
    )
    assert src["Read this first, really."] == "Read this first,\n> really."
    assert src["Or build it from source:"] == "Or build it\n  from source:"
    assert src["Distro: Debian | Package: `citebot-deb`"] == "Debian | `citebot-deb`"
    assert src["raw html text"] == "raw <em>html</em> text"
    code = by_display["pip install citebot"]
    assert (code.kind, code.language, code.display) == (CODE, "bash", None)
    assert by_display["Or build it from source:"].lead_in  # followed by its sub-list
    assert [b.level for b in doc.blocks if b.kind == LIST_ITEM] == [1, 1, 2, 2]
    assert [b.level for b in doc.blocks if b.kind == HEADING] == [1, 2, 3, 2]
    assert not any("front matter" in d for _, d, _ in shown(doc))


def test_a_quoted_sentence_maps_back_to_its_source(write) -> None:
    doc = load(write, "a.md", "See the [Quickstart](quickstart.md) guide for **more**.\n")
    (b,) = doc.blocks
    display = b.display_text(doc.text)
    assert display == "See the Quickstart guide for more."
    i = display.index("Quickstart guide")
    assert doc.text[slice(*b.source_span(i, i + len("Quickstart guide"), doc.text))] == (
        "[Quickstart](quickstart.md) guide"
    )


MKDOCS = """\
# Clients

!!! note "TL;DR"
    Use a `Client` instance.

    ```python
    with httpx.Client() as client:
        ...
    ```

??? tip
    Collapsed tip.

=== "Windows"

    Run `setup.exe`.

=== "Linux"

    Run `./setup`.

/// warning | Careful now
Blocks of *pymdown*.

//// tab | macOS
Nested tab text.
////
///

The <abbr title="HyperText Markup Language">HTML</abbr> spec.<br>Next line.

*[HTML]: HyperText Markup Language

::: httpx.Client
    :docstring:
    :members: get post
"""


def test_mkdocs_material_and_pymdown_dialect(write) -> None:
    doc = load(write, "docs/clients.md", MKDOCS)
    assert shown(doc) == [
        ("heading", "Clients", ""),
        ("admonition", "Use a `Client` instance.", "Clients > TL;DR"),
        ("code", "with httpx.Client() as client:\n    ...", "Clients > TL;DR"),
        ("admonition", "Collapsed tip.", "Clients > Tip"),
        ("paragraph", "Run `setup.exe`.", "Clients > Windows"),
        ("paragraph", "Run `./setup`.", "Clients > Linux"),
        ("admonition", "Blocks of pymdown.", "Clients > Careful now"),
        ("admonition", "Nested tab text.", "Clients > Careful now > macOS"),
        ("paragraph", "The HTML spec. Next line.", "Clients"),
    ]
    code = doc.blocks[2]
    # verbatim content lines: the display drops the admonition's indentation, the span does not
    assert doc.text[code.start : code.end] == "with httpx.Client() as client:\n        ..."
    assert code.language == "python"


def test_mkdocstrings_directives_are_counted_not_indexed(write, tmp_path: Path) -> None:
    from index.ingest.loaders import load_folder

    write("api.md", "# API\n\n::: httpx.get\n    :docstring:\n\n::: httpx.post\n")
    write("only.md", "::: httpx.Client\n")
    result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["api.md"]
    assert shown(result.documents[0]) == [("heading", "API", "")]
    assert result.api_directives == {"api.md": 2, "only.md": 1}
    assert [(s.path, s.reason) for s in result.skipped] == [("only.md", "only API-reference directives")]


def test_myst_roles_directives_and_targets(write) -> None:
    doc = load(
        write,
        "myst.md",
        "(install)=\n# Install\n\nCall {py:func}`httpx.get` or see {ref}`the guide <guide>`.\n\n"
        "```{note}\nA MyST note.\n```\n\n:::{warning} Mind this\nColon fence.\n:::\n\n"
        "```{code-block} python\n:caption: x\nx = 1\n```\n\n```{toctree}\nintro\n```\n\n"
        "```{eval-rst}\n.. note::\n\n   From :class:`rst.Thing`.\n```\n\n"
        ":class: A list of\n  CSS classes.\n\nUse {{ confpy }} now.\n",
    )
    assert shown(doc) == [
        ("heading", "Install", ""),
        ("paragraph", "Call `httpx.get` or see the guide.", "Install"),
        ("admonition", "A MyST note.", "Install > Note"),
        ("admonition", "Colon fence.", "Install > Mind this"),
        ("code", "x = 1", "Install"),
        ("admonition", "From `rst.Thing`.", "Install > Note"),
        ("definition", "class: A list of CSS classes.", "Install"),
        ("paragraph", "Use now.", "Install"),
    ]
    assert doc.blocks[-4].language == "python"


def test_myst_doctest_is_code_and_hidden_setup_and_diagrams_are_not_text(write) -> None:
    """sphinx.ext.doctest in MyST: a ``{doctest}`` block is Python console code (its argument is a test
    group, not a language); ``{testsetup}`` is not shown on the page, a ``{mermaid}`` chart is drawn."""
    doc = load(
        write,
        "myst.md",
        "# Logging\n\n```{doctest} group1\n>>> import structlog\n>>> structlog.get_logger()\n```\n\n"
        "```{testsetup}\nimport structlog\nstructlog.reset_defaults()\n```\n\n"
        "```{mermaid}\nflowchart LR\n  A --> B\n```\n\nThe end.\n",
    )
    assert shown(doc) == [
        ("heading", "Logging", ""),
        ("code", ">>> import structlog\n>>> structlog.get_logger()", "Logging"),
        ("paragraph", "The end.", "Logging"),
    ]
    assert doc.blocks[1].language == "pycon"


def test_autorefs_links_attribute_lists_and_icons_show_as_on_the_site(write) -> None:
    """mkdocs-autorefs links (``[text][id]``, ``[id][]``, no definition in the page) show their text;
    Python-Markdown attribute lists and Material icon shortcodes are not text; ``:memory:`` is."""
    doc = load(
        write,
        "guide.md",
        "# Loading { #loading }\n\nUse [`load`][griffe.load] or [dataclasses][], then the\n"
        "[API](api.md){ .md-button } and [a ref][ref].\n\n[ref]: https://example.com\n\n"
        "- :material-check: Works with a `:memory:` store, or :memory: itself.\n",
    )
    assert shown(doc) == [
        ("heading", "Loading", ""),
        ("paragraph", "Use `load` or dataclasses, then the API and a ref.", "Loading"),
        ("list_item", "Works with a `:memory:` store, or :memory: itself.", "Loading"),
    ]


def test_mdx_drops_imports_exports_and_jsx(write) -> None:
    doc = load(
        write,
        "page.mdx",
        "import Tabs from '@theme/Tabs';\nexport const x = 1;\n\n# Page\n\n<Tabs>\n\n"
        "Some **Markdown** inside.\n\n</Tabs>\n\n{/* a comment */}\n\nDone.\n",
    )
    assert shown(doc) == [
        ("heading", "Page", ""),
        ("paragraph", "Some Markdown inside.", "Page"),
        ("paragraph", "Done.", "Page"),
    ]


def test_crlf_offsets_point_into_the_raw_text(write) -> None:
    content = "# Title\r\n\r\nSome words\r\nmore words.\r\n\r\n- an item\r\n"
    doc = load(write, "crlf.md", content)
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "Title",
        "Some words\r\nmore words.",
        "an item",
    ]
    assert [doc.line_of(b.start) for b in doc.blocks] == [1, 3, 6]


def test_code_only_markdown_is_indexed_and_empty_markdown_is_an_error(write) -> None:
    doc = load(write, "code.md", "# Only code\n\n```\nx = 1\n```\n")
    assert shown(doc)[-1] == ("code", "x = 1", "Only code")
    with pytest.raises(LoaderError, match="no text"):
        load_file(write("img.md", "![logo](logo.png)\n"), "img.md")


def test_lead_in_before_code_and_not_before_prose(write) -> None:
    doc = load(write, "a.md", "Install it:\n\n```sh\npip install x\n```\n\nThen:\n\nmore prose.\n")
    assert [(b.kind, b.lead_in) for b in doc.blocks] == [
        ("paragraph", True),
        ("code", False),
        ("paragraph", False),
        ("paragraph", False),
    ]


CALLOUTS = """\
# Checks

TIP: **Important:** The base is the newest reference.

NOTE: Moving parameters is not a breakage.

> TIP: **Hint**
> Make them keyword-only.

>? QUESTION: Why not?
> Because.

> [!WARNING]
> Back up first.

> GRIFFE: **Our recommendation.**
> Hide your layout.

HTTP: the protocol, not a callout.

> Plain quote: NOTE: not at the start.
"""


def test_callouts_markdown_callouts_and_github_alerts(write) -> None:
    """A callout's label is the admonition's context, never quoted text; other all-caps prose stays as it is."""
    doc = load(write, "docs/checks.md", CALLOUTS)
    assert shown(doc) == [
        ("heading", "Checks", ""),
        ("admonition", "The base is the newest reference.", "Checks > Important"),
        ("admonition", "Moving parameters is not a breakage.", "Checks > Note"),
        ("admonition", "Make them keyword-only.", "Checks > Hint"),
        ("admonition", "Why not? Because.", "Checks > Question"),
        ("admonition", "Back up first.", "Checks > Warning"),
        ("admonition", "Hide your layout.", "Checks > Our recommendation"),
        ("paragraph", "HTTP: the protocol, not a callout.", "Checks"),
        ("quote", "Plain quote: NOTE: not at the start.", "Checks"),
    ]
    # the quoted span starts at the text, after the label
    assert doc.text[doc.blocks[1].start :].startswith("The base")
