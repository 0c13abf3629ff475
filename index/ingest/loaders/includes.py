"""Which lines of an included file a page shows: ranges, markers, sections, a Python object.

Every selector returns 0-based, end-exclusive line ranges of the included file (one range per
contiguous piece the page shows), or raises ``IncludeError`` with a short reason. The loaders turn
the ranges into code blocks of the included file's own document (``LoadContext.include_code``).
"""

from __future__ import annotations

import ast
import re

from index.ingest.loaders._align import Lines


class IncludeError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Range = tuple[int, int]  # 0-based [first, last + 1) lines


def parse_ranges(spec: str, n_lines: int, *, sphinx: bool = False) -> list[Range]:
    """``"3:10,12"`` (pymdown, FastAPI ``ln[..]``) or ``"3-10,12-"`` (Sphinx ``:lines:``), 1-based inclusive."""
    out: list[Range] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        sep = "-" if sphinx else ":"
        lo_s, has_sep, hi_s = part.partition(sep)
        try:
            lo = int(lo_s) if lo_s.strip() else 1
            hi = int(hi_s) if hi_s.strip() else (n_lines if has_sep else lo)
        except ValueError:
            raise IncludeError(f"bad line range {part!r}") from None
        if lo < 1 or lo > n_lines or hi < lo:
            raise IncludeError(f"lines {part} out of range (the file has {n_lines})")
        out.append((lo - 1, min(hi, n_lines)))
    return _merged(out)


def _merged(ranges: list[Range]) -> list[Range]:
    out: list[Range] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def snippet_spec(spec: str) -> tuple[str, str]:
    """Split a pymdown snippet spec into (path, selector): ``a.py:3:5`` → ("a.py", "3:5"),
    ``a.md:intro`` → ("a.md", "intro"), ``a.py`` → ("a.py", "")."""
    m = re.match(r"^(.*?)((?::-?\d*)+(?:,(?:\d*:?)+)*|:[A-Za-z_][\w-]*)?$", spec.strip())
    if not m or not m.group(1):
        return spec.strip(), ""
    return m.group(1), (m.group(2) or "")[1:]


_SECTION = re.compile(r"--8<--\s*\[(start|end):([\w-]+)\]")


def snippet_ranges(text: str, selector: str) -> list[Range]:
    """The lines a pymdown snippet selector picks (whole file, line ranges, or a named section);
    section marker lines (``--8<-- [start:name]``) are never shown."""
    lines = Lines(text)
    n = _content_lines(text, lines)
    if selector and not selector[0].isdigit() and selector[0] not in ":-,":
        start = end = None
        for i in range(n):
            m = _SECTION.search(lines.line(i))
            if m and m.group(2) == selector:
                if m.group(1) == "start":
                    start = i + 1
                elif start is not None:
                    end = i
                    break
        if start is None or end is None:
            raise IncludeError(f"section {selector!r} not found")
        return _without_markers(lines, [(start, end)])
    ranges = parse_ranges(selector, n) if selector else [(0, n)]
    return _without_markers(lines, ranges)


def _without_markers(lines: Lines, ranges: list[Range]) -> list[Range]:
    out: list[Range] = []
    for lo, hi in ranges:
        piece_lo = lo
        for i in range(lo, hi):
            if _SECTION.search(lines.line(i)):
                if piece_lo < i:
                    out.append((piece_lo, i))
                piece_lo = i + 1
        if piece_lo < hi:
            out.append((piece_lo, hi))
    return out


def _content_lines(text: str, lines: Lines) -> int:
    """Number of lines, not counting the empty "line" after a final newline."""
    n = len(lines)
    return n - 1 if n > 1 and lines.start(n - 1) == len(text) else n


def sphinx_ranges(text: str, options: dict[str, str]) -> list[Range]:
    """The lines a Sphinx ``literalinclude`` shows: ``:pyobject:``, ``:lines:``, then
    ``:start-at:``/``:start-after:`` and ``:end-at:``/``:end-before:`` inside them."""
    lines = Lines(text)
    n = _content_lines(text, lines)
    lo, hi = 0, n
    if options.get("pyobject"):
        lo, hi = python_object_lines(text, options["pyobject"])
    ranges = [(lo, hi)]
    if options.get("lines"):
        picked = parse_ranges(options["lines"], hi - lo, sphinx=True)
        ranges = [(lo + a, lo + b) for a, b in picked]
    if any(k in options for k in ("start-at", "start-after", "end-at", "end-before")):
        if len(ranges) != 1:
            raise IncludeError("start/end markers with several line ranges")
        lo, hi = ranges[0]
        for key in ("start-at", "start-after"):
            if key in options:
                at = next((i for i in range(lo, hi) if options[key] in lines.line(i)), None)
                if at is None:
                    raise IncludeError(f"{key} text {options[key]!r} not found")
                lo = at if key == "start-at" else at + 1
        for key in ("end-at", "end-before"):
            if key in options:
                at = next((i for i in range(lo, hi) if options[key] in lines.line(i)), None)
                if at is None:
                    raise IncludeError(f"{key} text {options[key]!r} not found")
                hi = at + 1 if key == "end-at" else at
        ranges = [(lo, hi)]
    return [r for r in ranges if r[0] < r[1]]


def python_object_lines(text: str, qualname: str) -> Range:
    """Lines of a top-level function/class (or ``Class.method``), decorators included."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        raise IncludeError("pyobject: the file is not valid Python") from None
    body: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for part in qualname.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == part
            ),
            None,
        )
        if node is None:
            raise IncludeError(f"pyobject {qualname!r} not found")
        body = getattr(node, "body", [])
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return first - 1, node.end_lineno or node.lineno
