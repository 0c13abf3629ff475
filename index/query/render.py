"""Plain-text rendering of an answer for a terminal: display text, code as a fenced block."""

from __future__ import annotations

import textwrap

from index.query.answer import Answer, Citation


def _where(source: str, line: int, page: int | None, end_line: int | None = None) -> str:
    lines = f"{line}-{end_line}" if end_line and end_line > line else f"{line}"
    return f"{source}:{lines}" + (f" (page {page})" if page else "")


def _citation(i: int, c: Citation, width: int) -> list[str]:
    if c.kind == "code":
        fence = "```"
        while fence in c.shown:
            fence += "`"
        body = [f"{i}. {fence}{c.language}", *(f"   {ln}" for ln in c.shown.rstrip("\n").split("\n")), f"   {fence}"]
    else:
        body = [textwrap.fill(f"“{c.shown}”", width=width, initial_indent=f"{i}. ", subsequent_indent="   ")]
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
