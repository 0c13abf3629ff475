"""Markdown: the document is the raw file; its blocks come from markdown-it's token stream.

CommonMark with GFM tables and strikethrough, front matter, footnotes, definition lists,
``!!!``/``???`` admonitions (mdit-py-plugins), and the documentation-site dialects of
``markdown_rules`` (content tabs, pymdown blocks, snippets, ``{* … *}`` includes, mkdocstrings,
abbreviations, MDX). A file that uses MyST syntax (``{role}`…```, ```` ```{directive} ````,
``(label)=``) also gets the MyST plugins, and its directives are read like Sphinx's.

Blocks: headings (their path is the context of what follows), paragraphs, list items, table rows,
admonitions (their title appended to the context; also callouts, ``callouts``), quotes, definitions, footnotes and code blocks
(whole content lines, with the fence's language). Display text comes from the inline tokens,
aligned back onto the source (``_align``): links become their text, emphasis and HTML tags are
dropped, inline code keeps its backticks, MyST roles show their text.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.field_list import fieldlist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin
from mdit_py_plugins.substitution import substitution_plugin

from index.ingest.loaders._align import Aligner, Lines, code_block, mark_lead_ins
from index.ingest.loaders._common import LoaderError, read_text
from index.ingest.loaders.callouts import callout
from index.ingest.loaders.context import LoadContext
from index.ingest.loaders.formats import MARKDOWN
from index.ingest.loaders.html_text import html_blocks
from index.ingest.loaders.includes import (
    IncludeError,
    parse_ranges,
    snippet_ranges,
    snippet_spec,
    sphinx_ranges,
)
from index.ingest.loaders.languages import fence_language
from index.ingest.loaders.markdown_rules import docs_rules
from index.ingest.loaders.roles import role_display
from index.ingest.loaders.rst_sphinx import API_DIRECTIVES, CODE_DIRECTIVES, FIXED_LANGUAGE, HIDDEN_DIRECTIVES
from index.models.documents import (
    ADMONITION,
    DEFINITION,
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    Block,
    Document,
)

_MYST = re.compile(r"^\s*(?:```+|~~~+|:::+)\s*\{[\w:-]+\}|\{[\w:.-]+\}`|^\([\w.-]+\)=\s*$", re.M)

ADMONITION_NAMES = frozenset(
    [
        "note",
        "attention",
        "caution",
        "danger",
        "error",
        "hint",
        "important",
        "tip",
        "warning",
        "seealso",
        "admonition",
        "abstract",
        "summary",
        "tldr",
        "info",
        "todo",
        "success",
        "check",
        "done",
        "question",
        "help",
        "faq",
        "failure",
        "fail",
        "missing",
        "bug",
        "example",
        "quote",
        "cite",
        "details",
        "versionadded",
        "versionchanged",
        "deprecated",
        "versionremoved",
    ]
)
_SILENT_DIRECTIVES = frozenset(
    {"toctree", "contents", "tableofcontents", "index", "highlight", "raw", "math", *HIDDEN_DIRECTIVES}
)
_VERSION_TITLES = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}


# mkdocs-autorefs: ``[text][identifier]`` and ``[identifier][]`` link to an object's page with no
# reference definition in the file (the plugin resolves them when the site is built); without one,
# CommonMark keeps the brackets as text. Each such label is given a definition before parsing, so the
# link shows its text, as on the site.
_AUTOREF = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])+)\]\[([^\[\]\n]*)\]")
# Python-Markdown's attribute lists (``{ .md-button }``, ``{: #anchor }``, ``{ width="300" }``) after a link,
# an image or a heading, and Material's icon shortcodes (``:material-check:``, ``:fontawesome-brands-github:``;
# a hyphen at least, so ``:memory:`` stays): the site renders neither as text
_ATTR_VALUE = r"""(?:[.#][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s{}"']+))"""
_ATTR_LIST = re.compile(rf"\{{:?[ \t]*{_ATTR_VALUE}(?:[ \t]+{_ATTR_VALUE})*[ \t]*\}}")
_ICON = re.compile(r"(?<![\w:/]):[a-z][a-z0-9]*(?:-[a-z0-9]+)+:(?![\w:/])")


def autoref_env(src: str) -> dict:
    """A markdown-it env defining every autorefs label of ``src`` (see ``_AUTOREF``)."""
    refs = {}
    for m in _AUTOREF.finditer(src):
        key = normalizeReference(m.group(2) or m.group(1))
        if key:
            refs.setdefault(key, {"href": "#", "title": ""})
    return {"references": refs} if refs else {}


def site_text(text: str) -> str:
    """A text run without the attribute lists and icon shortcodes that the site does not show as text."""
    if "{" in text:
        text = _ATTR_LIST.sub(" ", text)
    if ":" in text:
        text = _ICON.sub(" ", text)
    return text


@lru_cache(maxsize=4)
def _parser(myst: bool, mdx: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin).use(deflist_plugin).use(admon_plugin)
    docs_rules(md, mdx=mdx)
    if myst:
        md.use(myst_role_plugin).use(myst_block_plugin).use(colon_fence_plugin).use(dollarmath_plugin)
        md.use(fieldlist_plugin).use(substitution_plugin)
    md.disable("text_join")  # keep escapes and entities as tokens of their own (their source differs)
    return md


def load_markdown(path: Path, source: str, ctx: LoadContext | None = None) -> Document:
    text = read_text(path)
    ctx = ctx or LoadContext(path.parent)
    lines = Lines(text)
    walker = MarkdownWalker(text, lines, source, path, ctx, mdx=path.suffix.lower() == ".mdx")
    walker.parse(0, len(lines))
    blocks = walker.finish()
    if not blocks:
        raise LoaderError(
            "only API-reference directives" if ctx.api_directives.get(source) else "no text found"
        )
    return Document(source=source, text=text, blocks=blocks, title=walker.title, format="markdown")


class _Container:
    __slots__ = ("kind", "seen", "title")

    def __init__(self, kind: str, title: str = "") -> None:
        self.kind, self.title = kind, title
        self.seen = False  # a paragraph of it was read (a callout label opens only the first one)


_KIND_OF_CONTAINER = {
    "quote": QUOTE,
    "list_item": LIST_ITEM,
    "admonition": ADMONITION,
    "footnote": FOOTNOTE,
    "definition": DEFINITION,
}


class MarkdownWalker:
    """Turns the tokens of ``text``'s lines into blocks; ``parse`` may be called for several line
    ranges of one text (notebook cells), ``finish`` returns all blocks in source order."""

    def __init__(
        self,
        text: str,
        lines: Lines,
        source: str,
        path: Path,
        ctx: LoadContext,
        *,
        mdx: bool = False,
        cell: int | None = None,
    ) -> None:
        self.text, self.lines, self.source, self.path, self.ctx = text, lines, source, path, ctx
        self.mdx = mdx
        self.cell = cell
        self.title = ""
        self.blocks: list[Block] = []
        self._headings: list[tuple[int, str]] = []
        self._marks: list[tuple[int, str]] = [(-1, "")]  # (absolute line, heading path from it on)
        self._containers: list[_Container] = []
        self._lists = 0
        self._term: tuple[Token, int] | None = None
        self._headers: list[str] = []
        self._include_marks: list[int] = []
        self._md = _parser(False, mdx)
        self._env: dict = {}

    # -- driving ----------------------------------------------------------------------------
    def parse(self, first: int, last: int) -> None:
        """Parse lines ``first … last - 1`` of the text."""
        src = "\n".join(self.lines.line(i) for i in range(first, last))
        self._md = _parser(bool(_MYST.search(src)), self.mdx)
        self._env = autoref_env(src)
        self._walk(self._md.parse(src, dict(self._env)), first)

    def finish(self) -> list[Block]:
        self._flush_term()
        blocks = sorted(self.blocks, key=lambda b: b.start)
        out: list[Block] = []
        for b in blocks:  # a parser quirk must never produce overlapping blocks
            if out and b.start < out[-1].end:
                continue
            out.append(b)
        return mark_lead_ins(out, self._include_marks, self.text)

    # -- the token walk -------------------------------------------------------------------
    def _walk(self, tokens: list[Token], base: int) -> None:
        i, n = 0, len(tokens)
        while i < n:
            t = tokens[i]
            ty = t.type
            if ty == "heading_open":
                self._heading(t, tokens[i + 1], base)
                i += 3
                continue
            if ty == "paragraph_open":
                self._paragraph(tokens[i + 1], base)
                i += 3
                continue
            if ty == "tr_open":
                i = self._row(tokens, i, base)
                continue
            if ty in ("dt_open", "fieldlist_name_open"):  # a term / a MyST field name: "term: definition"
                self._flush_term()
                self._term = (tokens[i + 1], base)
                i += 3
                continue
            if ty == "admonition_title_open":
                while i < n and tokens[i].type != "admonition_title_close":
                    i += 1
            elif ty in ("fence", "code_block"):
                self._code(t, base)
            elif ty == "colon_fence":
                self._directive(t, base)
            elif ty == "html_block":
                self._html(t, base)
            elif ty == "front_matter":
                m = re.search(r"^title:\s*(.+?)\s*$", t.content, re.M)
                if m:
                    self.title = self.title or m.group(1).strip("\"'")
            elif ty == "snippet":
                self._snippet(t, base)
            elif ty == "code_include":
                self._code_include(t, base)
            elif ty == "api_directive":
                self.ctx.api_directive(self.source)
            elif ty.endswith("_open"):
                self._open(t)
            elif ty.endswith("_close"):
                self._close(t)
            i += 1

    def _open(self, t: Token) -> None:
        ty = t.type
        if ty in ("bullet_list_open", "ordered_list_open"):
            self._lists += 1
        elif ty == "list_item_open":
            self._containers.append(_Container("list_item"))
        elif ty == "blockquote_open":
            self._containers.append(_Container("quote"))
        elif ty == "admonition_open":
            self._containers.append(_Container("admonition", t.content or t.meta.get("tag", "").title()))
        elif ty == "content_tab_open":
            self._containers.append(_Container("tab", t.meta["title"]))
        elif ty == "pymdown_block_open":
            name, title = t.meta["name"], t.meta["title"]
            if name in ADMONITION_NAMES:
                self._containers.append(_Container("admonition", title or name.title()))
            else:
                self._containers.append(_Container("tab" if name == "tab" else "container", title))
        elif ty == "footnote_open":
            self._containers.append(_Container("footnote"))
        elif ty in ("dd_open", "fieldlist_body_open"):
            self._containers.append(_Container("definition"))
        elif ty == "thead_open":
            self._headers = []

    def _close(self, t: Token) -> None:
        ty = t.type
        if ty in ("bullet_list_close", "ordered_list_close"):
            self._lists -= 1
        elif ty in (
            "list_item_close",
            "blockquote_close",
            "admonition_close",
            "content_tab_close",
            "pymdown_block_close",
            "footnote_close",
            "dd_close",
            "fieldlist_body_close",
        ):
            if ty in ("dd_close", "fieldlist_body_close"):
                self._flush_term()
            if self._containers:
                self._containers.pop()
        elif ty in ("dl_close", "field_list_close"):
            self._flush_term()
        elif ty == "table_close":
            self._headers = []

    # -- context ----------------------------------------------------------------------------
    def _path_at(self, line: int) -> str:
        i = bisect.bisect_right(self._marks, (line, "\uffff")) - 1
        return self._marks[i][1]

    def _context(self, line: int) -> str:
        parts = [self._path_at(line)] if self._path_at(line) else []
        parts += [c.title for c in self._containers if c.title]
        return " > ".join(parts)

    def context_at(self, line: int) -> str:
        """The heading path in effect at absolute line ``line`` (for blocks added from outside)."""
        return self._context(line)

    def _kind(self) -> str:
        for c in reversed(self._containers):
            if c.kind in _KIND_OF_CONTAINER:
                return _KIND_OF_CONTAINER[c.kind]
        return PARAGRAPH

    def _region(self, t: Token, base: int) -> tuple[int, int, int]:
        first, last = t.map if t.map else (0, 1)
        last = max(last, first + 1)
        return base + first, self.lines.start(base + first), self.lines.end(base + last - 1)

    def _add(self, block: Block | None) -> None:
        if block is not None:
            self.blocks.append(block)

    # -- blocks -----------------------------------------------------------------------------
    def _heading(self, t: Token, inline: Token, base: int) -> None:
        line, start, end = self._region(t, base)
        al = Aligner(self.text, start, end)
        render_inline(al, inline)
        level = int(t.tag[1:]) if t.tag[1:].isdigit() else 1
        display, _ = al.build()
        if not display:
            return
        while self._headings and self._headings[-1][0] >= level:
            self._headings.pop()
        parents = [h for _, h in self._headings] + [c.title for c in self._containers if c.title]
        block = al.block(HEADING, context=" > ".join(parents), level=level, cell=self.cell)
        self._headings.append((level, display))
        self._marks.append((line, " > ".join(h for _, h in self._headings)))
        if level == 1 and not self.title:
            self.title = display
        self._add(block)

    def _paragraph(self, inline: Token, base: int) -> None:
        line, start, end = self._region(inline, base)
        kind = self._kind()
        if self._term is not None and kind == DEFINITION:
            term, term_base = self._term
            self._term = None
            t_line, t_start, _ = self._region(term, term_base)
            al = Aligner(self.text, t_start, end)
            render_inline(al, term)
            al.add(": ")
            render_inline(al, inline)
            self._add(al.block(DEFINITION, context=self._context(t_line), cell=self.cell))
            return
        self._flush_term()
        top = self._containers[-1] if self._containers else None
        first_in_quote = top is not None and top.kind == "quote" and not top.seen
        if top is not None:
            top.seen = True
        context = self._context(line)
        found = callout(inline, ADMONITION_NAMES, in_quote=first_in_quote)
        if found is not None:
            title, children = found
            inline = inline.copy(children=children)
            if first_in_quote and top is not None:  # the whole quote is the callout's box
                top.kind, top.title = "admonition", title
                kind, context = ADMONITION, self._context(line)
            else:
                kind = ADMONITION if kind == PARAGRAPH else kind
                context = f"{context} > {title}" if context else title
        al = Aligner(self.text, start, end)
        render_inline(al, inline)
        level = self._lists if kind == LIST_ITEM else 0
        self._add(al.block(kind, context=context, wrapped=True, level=level, cell=self.cell))

    def _flush_term(self) -> None:
        if self._term is None:
            return
        term, base = self._term
        self._term = None
        line, start, end = self._region(term, base)
        al = Aligner(self.text, start, end)
        render_inline(al, term)
        self._add(al.block(DEFINITION, context=self._context(line), cell=self.cell))

    def _row(self, tokens: list[Token], i: int, base: int) -> int:
        tr = tokens[i]
        cells: list[Token] = []
        head = False
        j = i + 1
        while j < len(tokens) and tokens[j].type != "tr_close":
            if tokens[j].type == "inline":
                cells.append(tokens[j])
            head = head or tokens[j].type == "th_open"
            j += 1
        line, start, end = self._region(tr, base)
        if head:
            for cell in cells:
                al = Aligner(self.text, start, end)
                render_inline(al, cell)
                self._headers.append(al.build()[0])
            return j + 1
        al = Aligner(self.text, start, end)
        shown = 0
        for k, cell in enumerate(cells):
            if not cell.content.strip():
                continue
            if shown:
                al.add(" | ")
            header = self._headers[k] if k < len(self._headers) else ""
            if header:
                al.add(f"{header}: ")
            render_inline(al, cell)
            shown += 1
        self._add(al.block("table_row", context=self._context(line), cell=self.cell))
        return j + 1

    def _code(self, t: Token, base: int) -> None:
        if t.type == "fence" and t.info.strip().startswith("{") and self._md is _parser(True, self.mdx):
            self._directive(t, base)
            return
        first = base + t.map[0] + (1 if t.type == "fence" else 0) if t.map else base
        content = t.content.split("\n")
        if content and content[-1] == "":
            content.pop()
        language = fence_language(t.info) if t.type == "fence" else ""
        self._add(
            code_block(
                self.text,
                self.lines,
                first,
                content,
                context=self._context(first),
                language=language,
                cell=self.cell,
            )
        )

    def _html(self, t: Token, base: int) -> None:
        line, start, end = self._region(t, base)
        for block in html_blocks(self.text, start, end, self._context(line), self.cell):
            if block.kind == HEADING and not self.title and block.level == 1:
                self.title = block.display_text(self.text)
            self._add(block)

    # -- includes ---------------------------------------------------------------------------
    def _include_at(self, line: int) -> None:
        self._include_marks.append(self.lines.start(line))

    def _snippet(self, t: Token, base: int) -> None:
        for spec, rel_line in t.meta["paths"]:
            line = base + rel_line
            path_str, selector = snippet_spec(spec)
            self._include_at(line)
            try:
                target = self.ctx.resolve(self.path, path_str)
                if target.suffix.lower() in MARKDOWN:
                    self.ctx.include_document("markdown", target, self._context(line))
                else:
                    ranges = snippet_ranges(self.ctx.text_of(target), selector)
                    self.ctx.include_code(self.source, line + 1, target, ranges, context=self._context(line))
            except IncludeError as exc:
                self.ctx.unresolved_include(self.source, line + 1, spec, exc.reason)

    def _code_include(self, t: Token, base: int) -> None:
        line = base + t.map[0]
        self._include_at(line)
        spec = t.meta["path"]
        try:
            target = self.ctx.resolve(self.path, spec)
            text = self.ctx.text_of(target)
            n = len(Lines(text)) - (1 if text.endswith("\n") else 0)
            ranges = parse_ranges(t.meta["ln"], n) if t.meta["ln"] else [(0, n)]
            self.ctx.include_code(self.source, line + 1, target, ranges, context=self._context(line))
        except IncludeError as exc:
            self.ctx.unresolved_include(self.source, line + 1, spec, exc.reason)

    # -- MyST directives --------------------------------------------------------------------
    def _directive(self, t: Token, base: int) -> None:
        m = re.match(r"^\{([\w:.-]+)\}\s*(.*)$", t.info.strip())
        if not m:
            return self._code_plain(t, base)
        name, arg = m.group(1).lower().split(":")[-1], m.group(2).strip()
        first = base + t.map[0] + 1 if t.map else base
        content = t.content.split("\n")
        if content and content[-1] == "":
            content.pop()
        options, skip = _directive_options(content)
        first += skip
        content = content[skip:]
        line = first - skip - 1
        if name in CODE_DIRECTIVES:
            language = FIXED_LANGUAGE.get(name) or arg or options.get("language", "")
            self._add(
                code_block(
                    self.text,
                    self.lines,
                    first,
                    content,
                    context=self._context(line),
                    language=language,
                    cell=self.cell,
                )
            )
        elif name in API_DIRECTIVES:
            self.ctx.api_directive(self.source)
        elif name in ("include", "literalinclude"):
            self._myst_include(name, arg, options, line)
        elif name == "eval-rst":
            self._eval_rst(first, content)
        elif name in _SILENT_DIRECTIVES:
            return None
        else:
            if name in _VERSION_TITLES:
                title = f"{_VERSION_TITLES[name]} {arg}".strip()
            elif name in ADMONITION_NAMES:
                title = arg or name.title()
            else:
                title = arg
            kind = "admonition" if name in ADMONITION_NAMES else "container"
            self._containers.append(_Container(kind, title))
            self._walk(self._md.parse("\n".join(content), dict(self._env)), first)
            self._containers.pop()
        return None

    def _eval_rst(self, first: int, content: list[str]) -> None:
        """MyST's ``{eval-rst}``: the content is reStructuredText, read by the rST loader in place."""
        from index.ingest.loaders.rst import RstWalker
        from index.ingest.loaders.rst_parse import parse_rst

        if not content:
            return
        walker = RstWalker(self.text, self.source, self.path, self.ctx, line_base=first, lines=self.lines)
        walker.cursor = self.lines.start(first)
        walker.limit = self.lines.end(first + len(content) - 1)
        walker.base_context = self._context(first)
        tree = parse_rst("\n".join(content), self.source)
        walker.substitutions = dict(tree.substitution_defs)
        walker.walk(tree)
        for b in walker.finish():
            self._add(dataclasses.replace(b, cell=self.cell) if self.cell is not None else b)

    def _code_plain(self, t: Token, base: int) -> None:
        first = base + t.map[0] + 1 if t.map else base
        content = t.content.split("\n")
        if content and content[-1] == "":
            content.pop()
        self._add(
            code_block(self.text, self.lines, first, content, context=self._context(first), cell=self.cell)
        )

    def _myst_include(self, name: str, arg: str, options: dict[str, str], line: int) -> None:
        self._include_at(line)
        try:
            target = self.ctx.resolve(self.path, arg)
            if name == "include" and "literal" not in options and "code" not in options:
                fmt = "markdown" if target.suffix.lower() in MARKDOWN else "rst"
                self.ctx.include_document(fmt, target, self._context(line))
                return
            ranges = sphinx_ranges(self.ctx.text_of(target), options)
            language = options.get("language") or options.get("code", "")
            self.ctx.include_code(
                self.source, line + 1, target, ranges, context=self._context(line), language=language
            )
        except IncludeError as exc:
            self.ctx.unresolved_include(self.source, line + 1, arg, exc.reason)


def _directive_options(content: list[str]) -> tuple[dict[str, str], int]:
    """MyST directive options at the top of its content (``:key: value`` lines or a ``---`` YAML
    block), and how many lines they take."""
    options: dict[str, str] = {}
    i = 0
    if content and content[0].strip() == "---":
        j = 1
        while j < len(content) and content[j].strip() != "---":
            key, _, value = content[j].partition(":")
            options[key.strip()] = value.strip()
            j += 1
        i = min(j + 1, len(content))
    else:
        while i < len(content) and (m := re.match(r"^:([\w-]+):\s*(.*)$", content[i].strip())):
            options[m.group(1)] = m.group(2)
            i += 1
    while i < len(content) and not content[i].strip():
        i += 1
    return options, i


def render_inline(al: Aligner, inline: Token) -> None:
    """Align an inline token's children: the display text of a paragraph, heading or cell."""
    children = inline.children or []
    for c in children:
        ty = c.type
        if ty == "text":
            al.words(site_text(c.content))
        elif ty == "text_special":
            if c.info == "escape":
                al.word(c.content)
            else:
                al.add(c.content)
        elif ty == "code_inline":
            al.add("`")
            al.words(c.content)
            al.add("`")
        elif ty in ("softbreak", "hardbreak"):
            al.space()
        elif ty == "html_inline":
            if re.match(r"<br\b", c.content, re.I):
                al.space()
        elif ty == "myst_role":
            shown, code = role_display(c.meta.get("name", ""), c.content)
            if code:
                al.add("`")
            al.words(shown)
            if code:
                al.add("`")
        elif ty in ("math_inline", "math_single", "math_inline_double"):
            al.words(c.content)
        elif ty in ("image", "footnote_ref", "substitution_inline") or ty.endswith(("_open", "_close")):
            continue
        elif c.content:
            al.words(c.content)
