"""The text of an HTML fragment inside a Markdown page (``<div align="center"><p>…</p></div>``),
tags stripped: one paragraph (or heading) per block-level element, aligned onto the source with
the standard library's HTML tokenizer (entities are shown decoded, as synthesized characters)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from index.ingest.loaders._align import Aligner, Lines
from index.models.documents import HEADING, PARAGRAPH, Block


class _HtmlText(HTMLParser):
    _BLOCK = frozenset(
        [
            "p",
            "div",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "li",
            "ul",
            "ol",
            "dl",
            "dt",
            "dd",
            "table",
            "tr",
            "td",
            "th",
            "thead",
            "tbody",
            "blockquote",
            "pre",
            "section",
            "article",
            "header",
            "footer",
            "details",
            "summary",
            "figure",
            "figcaption",
            "center",
            "main",
            "aside",
            "nav",
            "form",
        ]
    )
    _SKIP = frozenset({"script", "style", "svg", "template", "noscript"})

    def __init__(self, text: str, start: int, end: int, context: str, cell: int | None) -> None:
        super().__init__(convert_charrefs=False)
        self.text, self.start, self.end, self.context, self.cell = text, start, end, context, cell
        self.local = Lines(text[start:end])
        self.blocks: list[Block] = []
        self.level = 0
        self.skip = 0
        self.al = Aligner(text, start, end)

    def _abs(self) -> int:
        line, col = self.getpos()
        return self.start + self.local.start(line - 1) + col

    def _flush(self) -> None:
        kind = HEADING if self.level else PARAGRAPH
        block = self.al.block(kind, context=self.context, widen=False, level=self.level, cell=self.cell)
        if block is not None:
            self.blocks.append(block)
        self.al = Aligner(self.text, max(self.al.pos, self.start), self.end)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag == "br":
            self.al.space()
        elif tag in self._BLOCK:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.level = int(tag[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.level = 0

    def handle_data(self, data: str) -> None:
        if self.skip or not data.strip():
            if data and data[0].isspace():
                self.al.space()
            return
        self.al.skip_to(self._abs())
        self.al.words(data)

    def handle_entityref(self, name: str) -> None:
        if not self.skip:
            self.al.add(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        if not self.skip:
            self.al.add(html.unescape(f"&#{name};"))


def html_blocks(text: str, start: int, end: int, context: str, cell: int | None = None) -> list[Block]:
    """The text of an HTML block, tags stripped: one paragraph (or heading) per block-level element."""
    parser = _HtmlText(text, start, end, context, cell)
    parser.feed(text[start:end])
    parser.close()
    parser._flush()
    return parser.blocks
