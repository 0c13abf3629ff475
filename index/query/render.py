"""Plain-text rendering of an answer for a terminal: display text, code as a fenced block."""

from __future__ import annotations

import textwrap

from index.query.answer import Answer, Citation, Part


def _where(source: str, line: int, page: int | None, end_line: int | None = None) -> str:
    lines = f"{line}-{end_line}" if end_line and end_line > line else f"{line}"
    return f"{source}:{lines}" + (f" (page {page})" if page else "")


def _code(text: str, language: str, first: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [f"{first}{fence}{language}", *(f"   {ln}" for ln in text.rstrip("\n").split("\n")), f"   {fence}"]


def _prose(text: str, width: int, first: str) -> list[str]:
    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent="   ").split("\n")


def same_block(prev: Part, p: Part) -> bool:
    """Whether part ``p`` goes on the block of ``prev`` (a paragraph's next sentence, a list item's):
    a list item's first sentence starts with its bullet."""
    if prev.kind != p.kind or p.display.startswith("- "):
        return False
    return p.kind == "list_item" or p.line <= prev.end_line + 1


def _groups(c: Citation) -> list[tuple[str, str, str]]:
    """A citation's parts as (kind, text, language): consecutive prose parts in one quote (sentences of
    a paragraph joined by a space, other blocks by a line break), each code part on its own."""
    out: list[tuple[str, str, str]] = []
    prev = None
    for p in c.parts:
        if p.kind != "code" and out and out[-1][0] != "code" and prev is not None:
            out[-1] = (out[-1][0], out[-1][1] + (" " if same_block(prev, p) else "\n") + p.display, "")
        else:
            out.append((p.kind, p.display, p.language))
        prev = p
    return out


def _citation(i: int, c: Citation, width: int) -> list[str]:
    if c.parts:  # a quote over several units: prose quoted, code fenced in its language, in order
        body: list[str] = []
        for kind, text, language in _groups(c):
            first = f"{i}. " if not body else "   "
            if kind == "code":
                body += _code(text, language, first)
            else:
                lines = [ln for ln in text.split("\n") if ln.strip()]
                for k, ln in enumerate(lines):
                    quoted = ("“" if k == 0 else "") + ln + ("”" if k == len(lines) - 1 else "")
                    body += _prose(quoted, width, first if k == 0 else "   ")
    elif c.kind == "code":
        body = _code(c.shown, c.language, f"{i}. ")
    else:
        body = _prose(f"“{c.shown}”", width, f"{i}. ")
    ref = f"   — {_where(c.source, c.line, c.page, c.end_line)}"
    return [*body, ref + (f"  {c.url}" if c.url else "")]


def render_plain(answer: Answer, width: int = 100) -> str:
    out: list[str] = []
    if answer.abstained:
        out.append("The documents do not answer this question. Nearest passages:")
        for p in answer.passages[:3]:
            snippet = textwrap.shorten(p.text.replace("\n", " "), width=width * 2, placeholder=" …")
            out.append(f"  - {_where(p.source, p.line, p.page)}  {snippet}")
        return "\n".join(out)
    for i, c in enumerate(answer.citations, start=1):
        out.extend(_citation(i, c, width))
    return "\n".join(out)
