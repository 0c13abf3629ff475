"""HTML: the document is the page's readable text, one block per line, blank lines between blocks.

Boilerplate (scripts, navigation, headers, footers, forms...) is dropped; the walk starts at
``main``, else ``article``, else ``body``. Every element in ``_BREAKS`` ends the current block,
so text directly inside a ``div`` or around a nested list becomes a block of its own.
Headings are blocks too but not blocks: they give the following blocks their context.
"""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from index.ingest.loaders._common import LoaderError, collapse_whitespace, read_text
from index.models.documents import PARAGRAPH, Block, Document

_DROP = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form"]
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BREAKS = {
    "p", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption", "div",
    "main", "article", "section", "body", "ul", "ol", "dl", "menu", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "figure", "details", "summary", "address", "hr", "center", "fieldset",
    "legend", "hgroup", "search", "dialog", "iframe", "video", "audio", "object", "img",
}  # fmt: skip


def _blocks(root: LexborNode) -> list[tuple[int, str]]:
    """(heading level or 0, collapsed text) for each block under ``root``, in document order."""
    blocks: list[tuple[int, str]] = []
    run: list[str] = []

    def flush(level: int = 0) -> None:
        block = collapse_whitespace("".join(run))
        run.clear()
        if block:
            blocks.append((level, block))

    # an explicit stack (not recursion) so deeply nested pages can't overflow Python's stack
    stack: list[LexborNode | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):  # the end of an element: its text so far is one block
            flush(_HEADINGS.get(item, 0))
            continue
        tag = item.tag
        if tag == "-text":
            run.append(item.text_content or "")
        elif tag == "br":
            run.append(" ")
        elif tag and not tag.startswith("-"):  # an element (not a comment or doctype)
            if tag in _BREAKS or tag in _HEADINGS:
                flush()
                stack.append(tag)
            stack.extend(reversed(list(item.iter(include_text=True))))
    flush()
    return blocks


def load_html(path: Path, source: str) -> Document:
    tree = LexborHTMLParser(read_text(path))
    title_node = tree.css_first("head title")
    title = collapse_whitespace(title_node.text()) if title_node else ""
    tree.strip_tags(_DROP)
    root = tree.css_first("main") or tree.css_first("article") or tree.body
    blocks = _blocks(root) if root else []

    parts: list[str] = []
    segments: list[Block] = []
    headings: list[tuple[int, str]] = []
    pos = 0
    for level, block in blocks:
        if level:
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, block))
            title = title or (block if level == 1 else "")
        else:
            context = " > ".join(h for _, h in headings)
            segments.append(Block(PARAGRAPH, pos, pos + len(block), context=context, wrapped=False))
        parts.append(block)
        pos += len(block) + 2  # the "\n\n" between blocks
    if not segments:
        raise LoaderError("no readable text in the page")
    return Document(source=source, text="\n\n".join(parts), blocks=segments, title=title, format="html")
