"""A small Markdown-like document with display text, built by hand for the pipeline tests (the real
parsers are the loaders' business): emphasis and links rendered, a lead-in, a code block, headings."""

from __future__ import annotations

import re

from index.models.documents import CODE, HEADING, PARAGRAPH, Block, DisplayBuilder, Document

SOURCE = """# Install

Use **Typer** now. See [the docs](https://x.y/z) first.

To install it, run:

```python
pip install "typer[all]"
typer --version
```

## Linux

Run the *installer*. Then restart the shell.
"""
_MARKUP = re.compile(r"\*\*|\*|\[|\]\([^)]*\)")


def rendered(text: str, start: int, end: int, **kw: object) -> Block:
    """A prose block of ``text[start:end]`` whose display text drops ``**``, ``*`` and link syntax."""
    b = DisplayBuilder(text)
    pos = start
    for m in _MARKUP.finditer(text, start, end):
        b.copy(pos, m.start())
        pos = m.end()
    b.copy(pos, end)
    display, runs = b.build()
    return Block(PARAGRAPH, start, end, display=display, runs=runs, **kw)  # type: ignore[arg-type]


def span(text: str, piece: str) -> tuple[int, int]:
    i = text.index(piece)
    return i, i + len(piece)


def markdown_doc(source: str = "guide.md") -> Document:
    t = SOURCE
    para1 = span(t, "Use **Typer** now. See [the docs](https://x.y/z) first.")
    lead = span(t, "To install it, run:")
    code = span(t, 'pip install "typer[all]"\ntyper --version')
    linux = span(t, "Run the *installer*. Then restart the shell.")
    blocks = [
        Block(HEADING, *span(t, "# Install"), context="Install", level=1),
        rendered(t, *para1, context="Install"),
        Block(PARAGRAPH, *lead, context="Install", lead_in=True),
        Block(CODE, *code, context="Install", language="python"),
        Block(HEADING, *span(t, "## Linux"), context="Install > Linux", level=2),
        rendered(t, *linux, context="Install > Linux"),
    ]
    return Document(source, t, blocks, title="Install", format="markdown")
