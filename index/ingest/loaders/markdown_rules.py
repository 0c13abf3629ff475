"""markdown-it block rules for the Markdown dialects of documentation sites.

mdit-py-plugins covers front matter, footnotes, definition lists, ``!!!``/``???`` admonitions and
MyST; these rules add what mkdocs-material / pymdown and friends write on top, as tokens the
loader walks like any other:

* ``content_tab_open/close`` — ``=== "Tab"`` with indented content (meta ``title``);
* ``pymdown_block_open/close`` — ``/// note | Title`` … ``///`` (meta ``name``, ``title``), nested
  with more slashes (``//// tab | Windows``);
* ``snippet`` — pymdown snippets, ``--8<-- "file"`` or the block form (meta ``paths``: (spec, line));
* ``code_include`` — ``{* path ln[..] hl[..] *}`` (FastAPI, Typer docs; meta ``path``, ``ln``);
* ``api_directive`` — mkdocstrings ``::: package.module`` and its indented options (meta ``target``);
* ``abbr_definition`` — ``*[HTML]: Hyper Text Markup Language`` (rendered as nothing);
* ``mdx_esm`` / ``mdx_expression`` — MDX ``import``/``export`` statements and ``{…}`` lines.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock


def _line(state: StateBlock, i: int) -> str:
    return state.src[state.bMarks[i] + state.tShift[i] : state.eMarks[i]]


def _indented_code(state: StateBlock, i: int) -> bool:
    return state.sCount[i] - state.blkIndent >= 4


def _single_line(name: str, pattern: re.Pattern[str], meta_of):
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if _indented_code(state, start):
            return False
        m = pattern.match(_line(state, start))
        if not m:
            return False
        if silent:
            return True
        token = state.push(name, "", 0)
        token.map = [start, start + 1]
        token.meta = meta_of(m)
        state.line = start + 1
        return True

    return rule


# --- snippets -------------------------------------------------------------------------------
_SNIPPET_LINE = re.compile(r"""^(;?)--8<--[ \t]+(["'])(.+?)\2\s*$""")
_SNIPPET_FENCE = re.compile(r"^--8<--\s*$")


def _snippet(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if _indented_code(state, start):
        return False
    line = _line(state, start)
    m = _SNIPPET_LINE.match(line)
    paths: list[tuple[str, int]] = []
    last = start
    if m:
        if m.group(1):  # ;--8<-- is an escaped marker: not a snippet
            return False
        paths.append((m.group(3), start))
    elif _SNIPPET_FENCE.match(line):
        i = start + 1
        while i < end and not _SNIPPET_FENCE.match(_line(state, i)):
            spec = _line(state, i).strip()
            if spec and not spec.startswith(";"):
                paths.append((spec, i))
            i += 1
        last = min(i, end - 1)
    else:
        return False
    if silent:
        return True
    token = state.push("snippet", "", 0)
    token.map = [start, last + 1]
    token.meta = {"paths": paths}
    state.line = last + 1
    return True


# --- {* path hl[..] *} ------------------------------------------------------------------------
_CODE_INCLUDE = re.compile(r"^\{\*\s*(\S+)(.*?)\*\}\s*$")
_OPTION = re.compile(r"(\w+)\[([^\]]*)\]")


def _code_include_meta(m: re.Match[str]) -> dict[str, object]:
    options = dict(_OPTION.findall(m.group(2)))
    return {"path": m.group(1), "ln": options.get("ln", ""), "hl": options.get("hl", "")}


# --- mkdocstrings ----------------------------------------------------------------------------
_API = re.compile(r"^:::[ \t]+([\w.:/-]+)\s*$")


def _api_directive(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if _indented_code(state, start):
        return False
    m = _API.match(_line(state, start))
    if not m:
        return False
    i = start + 1
    for j in range(start + 1, end):  # a closing ``:::`` makes it a fenced div, not mkdocstrings
        if _line(state, j).strip() == ":::":
            return False
    while i < end and (state.sCount[i] > state.sCount[start] or not _line(state, i).strip()):
        if not _line(state, i).strip():  # a blank line ends the options unless more follow
            nxt = i + 1
            if nxt >= end or state.sCount[nxt] <= state.sCount[start]:
                break
        i += 1
    if silent:
        return True
    token = state.push("api_directive", "", 0)
    token.map = [start, i]
    token.meta = {"target": m.group(1)}
    state.line = i
    return True


# --- abbreviations ---------------------------------------------------------------------------
_ABBR = re.compile(r"^\*\[([^\]]+)\]:[ \t]*(.*)$")

# --- content tabs (=== "Tab") ----------------------------------------------------------------
_TAB = re.compile(r"""^===[!+]?[ \t]+(["'])(.*?)\1\s*$""")


def _indented_container(name: str, pattern: re.Pattern[str], title_group: int):
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if _indented_code(state, start):
            return False
        m = pattern.match(_line(state, start))
        if not m:
            return False
        if silent:
            return True
        old_parent, old_max, old_indent = state.parentType, state.lineMax, state.blkIndent
        state.blkIndent = state.sCount[start] + 4
        nxt = start + 1
        was_empty = False
        while nxt < end:
            empty = state.isEmpty(nxt)
            if empty and was_empty:
                break
            if not empty and state.sCount[nxt] < state.blkIndent:
                break
            was_empty = empty
            nxt += 1
        state.parentType = name  # type: ignore[assignment]
        state.lineMax = nxt
        token = state.push(f"{name}_open", "div", 1)
        token.map = [start, nxt]
        token.meta = {"title": m.group(title_group)}
        state.md.block.tokenize(state, start + 1, nxt)
        state.push(f"{name}_close", "div", -1)
        state.parentType, state.lineMax, state.blkIndent = old_parent, old_max, old_indent
        state.line = nxt
        return True

    return rule


# --- pymdown blocks (/// name | title) -------------------------------------------------------
_BLOCK_OPEN = re.compile(r"^(/{3,})[ \t]*([A-Za-z][\w-]*)[ \t]*(?:\|[ \t]*(.*?))?\s*$")


def _pymdown_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if _indented_code(state, start):
        return False
    m = _BLOCK_OPEN.match(_line(state, start))
    if not m:
        return False
    fence = m.group(1)
    close = start + 1
    while close < end and _line(state, close).strip() != fence:
        close += 1
    if silent:
        return True
    body = start + 1  # options: indented ``key: value`` lines right under the header
    while body < close and state.sCount[body] >= state.sCount[start] + 4 and ":" in _line(state, body):
        body += 1
    old_max = state.lineMax
    state.lineMax = close
    token = state.push("pymdown_block_open", "div", 1)
    token.map = [start, min(close + 1, end)]
    token.meta = {"name": m.group(2).lower(), "title": (m.group(3) or "").strip()}
    state.md.block.tokenize(state, body, close)
    state.push("pymdown_block_close", "div", -1)
    state.lineMax = old_max
    state.line = min(close + 1, end)
    return True


# --- MDX -------------------------------------------------------------------------------------
_ESM = re.compile(r"^(?:import|export)\b")


def _mdx_esm(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] != 0 or state.blkIndent != 0 or not _ESM.match(_line(state, start)):
        return False
    i = start + 1
    while i < end and not state.isEmpty(i):
        i += 1
    if silent:
        return True
    token = state.push("mdx_esm", "", 0)
    token.map = [start, i]
    state.line = i
    return True


def _mdx_expression(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if _indented_code(state, start) or not _line(state, start).startswith("{"):
        return False
    depth, i = 0, start
    while i < end:
        for c in _line(state, i):
            depth += (c == "{") - (c == "}")
        i += 1
        if depth <= 0:
            break
    if depth > 0 or not _line(state, i - 1).rstrip().endswith("}"):
        return False
    if silent:
        return True
    token = state.push("mdx_expression", "", 0)
    token.map = [start, i]
    state.line = i
    return True


_ALT = {"alt": ["paragraph", "reference", "blockquote", "list"]}


def docs_rules(md: MarkdownIt, *, mdx: bool = False) -> None:
    """Add the documentation-site block rules to ``md``."""
    ruler = md.block.ruler
    ruler.before("fence", "snippet", _snippet, _ALT)
    ruler.before(
        "fence", "code_include", _single_line("code_include", _CODE_INCLUDE, _code_include_meta), _ALT
    )
    ruler.before("fence", "api_directive", _api_directive, _ALT)
    ruler.before(
        "fence",
        "abbr_definition",
        _single_line("abbr_definition", _ABBR, lambda m: {"abbr": m.group(1), "title": m.group(2)}),
        _ALT,
    )
    ruler.before("fence", "content_tab", _indented_container("content_tab", _TAB, 2), _ALT)
    ruler.before("fence", "pymdown_block", _pymdown_block, _ALT)
    if mdx:
        ruler.before("fence", "mdx_esm", _mdx_esm, _ALT)
        ruler.before("fence", "mdx_expression", _mdx_expression, _ALT)
