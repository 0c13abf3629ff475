"""Markdown: the document is the raw file; blocks are its paragraphs, list items and table rows, found by markdown-it.

Paragraphs (also inside list items and blockquotes) and table body rows become blocks
over their exact characters in the raw file, with the heading path as context. Headings,
code, HTML blocks and front matter are not blocks yet.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from index.ingest.documents import PARAGRAPH, Block, Document
from index.ingest.loaders._common import LoaderError, read_text

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")  # markdown-it counts \r\n, \r and \n as line ends
_FRONT_MATTER_FENCES = {"---": ("---", "..."), "+++": ("+++",)}

_md = MarkdownIt("commonmark").enable("table")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, without its line ending."""
    spans = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and spans:
            break
        spans.append((m.start(), m.start() + len(m.group().rstrip("\r\n"))))
    return spans


def _front_matter_lines(lines: list[str]) -> int:
    """How many leading lines are YAML/TOML front matter (0 if none)."""
    closers = _FRONT_MATTER_FENCES.get(lines[0].rstrip()) if lines else None
    if closers:
        for i in range(1, len(lines)):
            if lines[i].rstrip() in closers:
                return i + 1
    return 0


def _inline_text(inline: Token) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _trimmed(text: str, start: int, end: int, chars: str | None = None) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip(chars)), start + len(piece.rstrip(chars))


def load_markdown(path: Path, source: str) -> Document:
    text = read_text(path)
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    skip = _front_matter_lines(lines)
    parse_src = "\n" * skip + "\n".join(lines[skip:])  # same line numbers, front matter blanked out

    title = ""
    headings: list[tuple[int, str]] = []  # the open heading path: (level, text)
    blocks: list[Block] = []
    in_tbody = False
    tokens = _md.parse(parse_src)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            level, heading = int(tok.tag[1]), _inline_text(tokens[i + 1])
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, heading))
            title = title or (heading if level == 1 else "")
            continue
        in_tbody = tok.type == "tbody_open" or (in_tbody and tok.type != "tbody_close")
        if tok.type == "paragraph_open" and tok.map:
            first, last = tok.map[0], tok.map[1] - 1
            # the first line of the paragraph's source, with list/quote markers stripped by markdown-it
            lead = tokens[i + 1].content.split("\n", 1)[0].rstrip()
            first_line = lines[first].rstrip()
            marker = len(first_line) - len(lead) if first_line.endswith(lead) else 0
            start, end = _trimmed(text, spans[first][0] + marker, spans[last][1])
        elif tok.type == "tr_open" and tok.map and in_tbody:
            start, end = _trimmed(text, *spans[tok.map[0]], " \t|")
        else:
            continue
        if start < end:
            context = " > ".join(h for _, h in headings)
            blocks.append(Block(PARAGRAPH, start, end, context=context, wrapped=True))

    if not blocks:
        raise LoaderError("no prose found (only headings, code or HTML)")
    return Document(source=source, text=text, blocks=blocks, title=title)
