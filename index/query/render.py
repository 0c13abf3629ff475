"""Plain-text rendering of an answer for a terminal."""

from __future__ import annotations

import textwrap

from index.query.answer import Answer


def _where(source: str, line: int, page: int | None) -> str:
    return f"{source}:{line}" + (f" (page {page})" if page else "")


def render_plain(answer: Answer, width: int = 100) -> str:
    out: list[str] = []
    if answer.abstained:
        out.append("The documents do not answer this question. Nearest passages:")
        for p in answer.passages[:3]:
            snippet = textwrap.shorten(p.text.replace("\n", " "), width=width * 2, placeholder=" …")
            out.append(f"  - {_where(p.source, p.line, p.page)}  {snippet}")
        return "\n".join(out)
    for i, c in enumerate(answer.citations, start=1):
        body = textwrap.fill(
            f"“{c.quote}”", width=width, initial_indent=f"{i}. ", subsequent_indent="   "
        )
        out.append(body)
        out.append(f"   — {_where(c.source, c.line, c.page)}")
    return "\n".join(out)
