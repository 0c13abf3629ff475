"""reStructuredText: the document is the raw file; its blocks come from docutils' doctree.

docutils parses (with the Sphinx vocabulary of ``rst_sphinx``: ``code-block``, ``literalinclude``,
``versionadded``, autodoc, ``:func:``/``:ref:``… roles; unknown directives and roles become generic
nodes, so nothing aborts a file) and its system messages are swallowed: never printed, never text.

docutils reports lines, not character offsets. Each text node is located in the source by its raw
text (the first raw line is searched from a cursor that only moves forward, near the line docutils
reports), and its rendered words are aligned onto the source lines it spans (``_align``), so every
block has an exact span and display runs; code blocks are located by their content lines.

Blocks: section titles (headings; their path is the context of what follows), paragraphs, list
items, table rows, definitions (term: definition), field lists, footnotes, quotes, admonitions
(note, warning, versionadded…, their title appended to the context) and code blocks
(``::`` literal blocks, ``code-block``, doctest blocks, with their language).
"""

from __future__ import annotations

import ast
from pathlib import Path

from docutils import nodes

from index.ingest.loaders._align import Aligner, Lines, code_block, mark_lead_ins
from index.ingest.loaders._common import LoaderError, read_text
from index.ingest.loaders.context import LoadContext
from index.ingest.loaders.formats import MARKDOWN
from index.ingest.loaders.includes import IncludeError, sphinx_ranges
from index.ingest.loaders.roles import role_display
from index.ingest.loaders.rst_parse import parse_rst
from index.ingest.loaders.rst_sphinx import (
    api_node,
    code_node,
    container_node,
    include_node,
    role_node,
    silent_node,
)
from index.ingest.loaders.sphinx_conf import conf_substitutions
from index.models.documents import (
    ADMONITION,
    DEFINITION,
    FOOTNOTE,
    HEADING,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    TABLE_ROW,
    Block,
    Document,
)

_ADMONITION_NODES = (nodes.Admonition,)
_SKIP = (
    nodes.system_message,
    nodes.comment,
    nodes.substitution_definition,
    nodes.target,
    nodes.raw,
    nodes.image,
    nodes.pending,
    nodes.transition,
    nodes.problematic,
    silent_node,
)
_INLINE_SKIP = (
    nodes.footnote_reference,
    nodes.citation_reference,
    nodes.substitution_reference,
    nodes.image,
    nodes.raw,
    nodes.system_message,
    nodes.problematic,
)


def load_rst(path: Path, source: str, ctx: LoadContext | None = None) -> Document:
    text = read_text(path)
    ctx = ctx or LoadContext(path.parent)
    walker = RstWalker(text, source, path, ctx)
    try:
        doctree = parse_rst(text, source)
    except Exception as exc:  # docutils' own bug on a strange file: the file is skipped, never the build
        raise LoaderError(f"reStructuredText could not be parsed ({exc.__class__.__name__})") from None
    walker.substitutions = dict(doctree.substitution_defs)
    conf = _sphinx_root(path, ctx.root) / "conf.py"
    walker.conf_values = conf_substitutions(conf) if conf.is_file() else {}
    walker.walk(doctree)
    blocks = walker.finish()
    if not blocks:
        raise LoaderError(
            "only API-reference directives" if ctx.api_directives.get(source) else "no text found"
        )
    return Document(source=source, text=text, blocks=blocks, title=walker.title, format="rst")


class RstWalker:
    def __init__(
        self,
        text: str,
        source: str,
        path: Path,
        ctx: LoadContext,
        *,
        line_base: int = 0,
        lines: Lines | None = None,
    ) -> None:
        """``line_base``: the line of ``text`` where the parsed reStructuredText starts (a docstring)."""
        self.text, self.source, self.path, self.ctx = text, source, path, ctx
        self.lines = lines or Lines(text)
        self.line_base = line_base
        self.limit = len(text)  # nothing is looked for past this offset
        self.base_context = ""
        self.title = ""
        self.blocks: list[Block] = []
        self.cursor = 0
        self._headings: list[str] = []
        self._containers: list[tuple[str, str]] = []  # (kind, title)
        self._lists = 0
        self._highlight = ""
        self._include_marks: list[int] = []
        self.substitutions: dict[str, nodes.Element] = {}
        self.conf_values: dict[str, str] = {}  # |version|, rst_epilog's definitions… (sphinx_conf)

    def finish(self) -> list[Block]:
        out: list[Block] = []
        for b in sorted(self.blocks, key=lambda b: b.start):
            if out and b.start < out[-1].end:
                continue
            out.append(b)
        return mark_lead_ins(out, self._include_marks, self.text)

    # -- context ----------------------------------------------------------------------------
    def _context(self) -> str:
        parts = [self.base_context] if self.base_context else []
        return " > ".join([*parts, *self._headings, *(t for _, t in self._containers if t)])

    def _kind(self) -> str:
        for kind, _ in reversed(self._containers):
            if kind in (LIST_ITEM, QUOTE, ADMONITION, FOOTNOTE, DEFINITION):
                return kind
        return PARAGRAPH

    # -- locating raw text ------------------------------------------------------------------
    def _locate(self, raw: str, line: int | None) -> tuple[int, int] | None:
        """(first, last) 0-based source lines of the raw text ``raw`` at or after the cursor."""
        raw_lines = [ln for ln in raw.split("\n")]
        while raw_lines and not raw_lines[-1].strip():
            raw_lines.pop()
        if not raw_lines:
            return None
        first = raw_lines[0].strip()
        lo = self.cursor
        if line:
            lo = max(lo, self.lines.start(max(0, line + self.line_base - 4)))
        found = self.text.find(first, lo, self.limit) if first else -1
        if found < 0 and lo > self.cursor:
            found = self.text.find(first, self.cursor, self.limit)
        if found < 0:
            return None
        first_line = self.lines.line_index(found)
        return first_line, first_line + len(raw_lines) - 1

    def _aligner(self, node: nodes.Element, raw: str | None = None) -> Aligner | None:
        where = self._locate(raw if raw is not None else node.rawsource, node.line)
        if where is None:
            return None
        first, last = where
        start = max(self.lines.start(first), self.cursor)
        return self._al(start, self.lines.end(last))

    def _al(self, start: int, end: int) -> Aligner:
        return Aligner(self.text, start, min(end, self.limit))

    def _emit(self, al: Aligner | None, kind: str, **fields: object) -> Block | None:
        if al is None:
            return None
        block = al.block(kind, context=fields.pop("context", self._context()), **fields)  # type: ignore[arg-type]
        if block is not None:
            self.blocks.append(block)
            self.cursor = max(self.cursor, block.end)
        return block

    # -- inline rendering -------------------------------------------------------------------
    def render(self, al: Aligner, node: nodes.Node) -> None:
        for child in node.children:
            if isinstance(child, nodes.Text):
                al.words(child.astext())
            elif isinstance(child, nodes.substitution_reference):
                al.add(self._substitution(child.get("refname", "")))
            elif isinstance(child, _INLINE_SKIP):
                continue
            elif isinstance(child, nodes.literal):
                al.add("`")
                al.words(child.astext())
                al.add("`")
            elif isinstance(child, role_node):
                shown, code = role_display(child["name"], child.astext())
                al.add("`") if code else None
                al.words(shown)
                al.add("`") if code else None
            elif isinstance(child, nodes.Element):
                self.render(al, child)

    def _substitution(self, name: str) -> str:
        """The text of ``|name|``: the page's ``.. |name| replace::`` (or ``unicode::``, an image's
        alt text), else conf.py's (``|version|``, rst_prolog/rst_epilog); "" when unknown."""
        definition = self.substitutions.get(name)
        if definition is None:
            definition = next((d for n, d in self.substitutions.items() if n.lower() == name.lower()), None)
        if definition is not None:
            return " ".join(definition.astext().split())
        value = self.conf_values.get(name)
        if value is None:
            value = next((v for n, v in self.conf_values.items() if n.lower() == name.lower()), "")
        return " ".join(value.split())

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, node: nodes.Node) -> None:
        for child in node.children:
            self._visit(child)

    def _visit(self, node: nodes.Node) -> None:  # noqa: C901 (one dispatch over docutils node types)
        if isinstance(node, (nodes.Text, *_SKIP)):
            if isinstance(node, silent_node) and node.get("highlight"):
                self._highlight = node["highlight"]
            return
        if isinstance(node, nodes.section):
            self._section(node)
        elif isinstance(node, nodes.title):
            self._text_block(node, HEADING, level=len(self._headings) or 1)
        elif isinstance(node, nodes.paragraph | nodes.rubric):
            self._text_block(
                node, self._kind(), wrapped=True, level=self._lists if self._kind() == LIST_ITEM else 0
            )
        elif isinstance(node, nodes.line_block):
            al = self._aligner(node, "\n".join(ln.rawsource for ln in node.findall(nodes.line)))
            if al is not None:
                for ln in node.findall(nodes.line):
                    self.render(al, ln)
                    al.space()
                self._emit(al, self._kind())
        elif isinstance(node, nodes.literal_block | nodes.doctest_block):
            self._literal(node)
        elif isinstance(node, code_node):
            self._code(node)
        elif isinstance(node, include_node):
            self._include(node)
        elif isinstance(node, nodes.bullet_list | nodes.enumerated_list):
            self._lists += 1
            self.walk(node)
            self._lists -= 1
        elif isinstance(node, nodes.list_item):
            self._inside(node, LIST_ITEM, "")
        elif isinstance(node, nodes.block_quote):
            self._inside(node, QUOTE, "")
        elif isinstance(node, nodes.footnote | nodes.citation):
            self._inside(node, FOOTNOTE, "", skip=(nodes.label,))
        elif isinstance(node, nodes.admonition):  # the generic ``.. admonition:: Title``
            title = next((c.astext() for c in node.children if isinstance(c, nodes.title)), "")
            self._inside(node, ADMONITION, " ".join(title.split()), skip=(nodes.title,))
        elif isinstance(node, _ADMONITION_NODES):
            self._inside(node, ADMONITION, node.tagname.replace("_", " ").title())
        elif isinstance(node, container_node):
            self._container(node)
        elif isinstance(node, api_node):
            self.ctx.api_directive(self.source)
            self._inside(node, "container", node.get("target", ""))
        elif isinstance(node, nodes.topic | nodes.sidebar):
            title = next((c.astext() for c in node.children if isinstance(c, nodes.title)), "")
            self._inside(node, "container", title, skip=(nodes.title,))
        elif isinstance(node, nodes.definition_list_item):
            self._definition(node)
        elif isinstance(node, nodes.field):
            self._field(node)
        elif isinstance(node, nodes.option_list_item):
            self._option(node)
        elif isinstance(node, nodes.table):
            self._table(node)
        elif isinstance(node, nodes.Element):
            self.walk(node)  # document, compound, container, figure, legend, caption's parent…

    def _inside(self, node: nodes.Element, kind: str, title: str, skip: tuple[type, ...] = ()) -> None:
        self._containers.append((kind, title))
        for child in node.children:
            if not isinstance(child, skip):
                self._visit(child)
        self._containers.pop()

    def _section(self, node: nodes.section) -> None:
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        depth = len(self._headings) + 1
        shown = ""
        if title is not None:  # its context is its parents' path
            block = self._text_block(title, HEADING, level=depth)
            shown = block.display_text(self.text) if block is not None else " ".join(title.astext().split())
            if depth == 1 and not self.title:
                self.title = shown
        self._headings = [*self._headings, shown]
        for child in node.children:
            if child is not title:
                self._visit(child)
        self._headings = self._headings[:-1]

    def _text_block(self, node: nodes.Element, kind: str, **fields: object) -> Block | None:
        al = self._aligner(node)
        if al is None:
            return None
        self.render(al, node)
        return self._emit(al, kind, **fields)

    def _literal(self, node: nodes.Element) -> None:
        raw = node.astext()
        where = self._locate(raw, node.line)
        if where is None:
            return
        first, _ = where
        content = raw.split("\n")
        if isinstance(node, nodes.doctest_block):
            language = "pycon"
        else:
            language = self._highlight or _guess_language(raw)
        self._add_code(
            code_block(self.text, self.lines, first, content, context=self._context(), language=language)
        )

    def _code(self, node: code_node) -> None:
        block = code_block(
            self.text,
            self.lines,
            node["first"] + self.line_base,
            node["content"],
            context=self._context(),
            language=node["language"] or self._highlight,
        )
        self._add_code(block)

    def _add_code(self, block: Block | None) -> None:
        if block is not None and block.start >= self.cursor:
            self.blocks.append(block)
            self.cursor = block.end

    def _container(self, node: container_node) -> None:
        kind = ADMONITION if node.get("admonition") else "container"
        title = node.get("title", "")
        if node.get("bare") and kind == ADMONITION:
            # ``.. versionadded:: 2.0`` alone: a block of its own ("Added in version 2.0")
            line = (node.line or 1) - 1 + self.line_base
            al = self._al(max(self.lines.start(line), self.cursor), self.lines.end(line))
            head, sep, version = title.partition(" version ")
            if sep:
                al.add(f"{head} version ")
                al.words(version)
            else:
                al.words(title)
            self._emit(al, PARAGRAPH)
        self._inside(node, kind, title)

    def _definition(self, node: nodes.definition_list_item) -> None:
        term = next((c for c in node.children if isinstance(c, nodes.term)), None)
        definition = next((c for c in node.children if isinstance(c, nodes.definition)), None)
        paragraphs = [c for c in definition.children] if definition is not None else []
        first = paragraphs[0] if paragraphs and isinstance(paragraphs[0], nodes.paragraph) else None
        if term is not None:
            al = self._aligner(term)
            if al is not None:
                if first is not None:
                    where = self._locate_from(first, al)
                    if where is not None:
                        al.end = where
                self.render(al, term)
                if first is not None:
                    al.add(": ")
                    self.render(al, first)
                self._emit(al, DEFINITION)
        rest = paragraphs[1:] if first is not None else paragraphs
        self._containers.append((DEFINITION, ""))
        for child in rest:
            self._visit(child)
        self._containers.pop()

    def _locate_from(self, para: nodes.Element, al: Aligner) -> int | None:
        saved = self.cursor
        self.cursor = al.start
        where = self._locate(para.rawsource, para.line)
        self.cursor = saved
        return self.lines.end(where[1]) if where else None

    def _field(self, node: nodes.field) -> None:
        name = next((c for c in node.children if isinstance(c, nodes.field_name)), None)
        body = next((c for c in node.children if isinstance(c, nodes.field_body)), None)
        if name is None or body is None or not body.astext().strip():
            return
        al = self._aligner(name, name.astext())
        if al is None:
            return
        first = body.children[0] if body.children and isinstance(body.children[0], nodes.paragraph) else None
        if first is not None:
            end = self._locate_from(first, al)
            if end is not None:
                al.end = end
        self.render(al, name)
        if first is not None:
            al.add(": ")
            self.render(al, first)
        self._emit(al, DEFINITION)
        self._containers.append((DEFINITION, ""))
        for child in body.children[1 if first is not None else 0 :]:
            self._visit(child)
        self._containers.pop()

    def _option(self, node: nodes.option_list_item) -> None:
        group = next((c for c in node.children if isinstance(c, nodes.option_group)), None)
        desc = next((c for c in node.children if isinstance(c, nodes.description)), None)
        if group is None:
            return
        al = self._aligner(group, group.astext().split(",")[0])
        if al is None:
            return
        al.end = (
            self.lines.end(self.lines.line_index(al.start) + max(0, desc.astext().count("\n")) + 1)
            if desc
            else al.end
        )
        al.words(group.astext())
        if desc is not None:
            al.add(": ")
            for p in desc.children:
                self.render(al, p)
        self._emit(al, DEFINITION)

    def _table(self, node: nodes.table) -> None:
        """One TABLE_ROW per body row of a simple, grid, ``list-table`` or ``csv-table`` table: its
        cells as "Header: cell | …", the table's title (``.. list-table:: Title``) in the context."""
        headers: list[str] = []
        title = next((" ".join(c.astext().split()) for c in node.children if isinstance(c, nodes.title)), "")
        context = " > ".join(p for p in (self._context(), title) if p)
        for row in node.findall(nodes.row):
            entries = [e for e in row.children if isinstance(e, nodes.entry)]
            texts = [e.astext() for e in entries]
            first_text = next((t for t in texts if t.strip()), "")
            if not first_text:
                continue
            region = self._row_region(row, first_text)
            if region is None:
                continue
            first, last = region
            al = Aligner(self.text, max(self.lines.start(first), self.cursor), self.lines.end(last))
            if isinstance(row.parent, nodes.thead):
                headers = [" ".join(t.split()) for t in texts]
                self.cursor = max(self.cursor, self.lines.end(last))
                continue
            shown = 0
            for k, entry in enumerate(entries):
                if not entry.astext().strip():
                    continue
                if shown:
                    al.add(" | ")
                if k < len(headers) and headers[k]:
                    al.add(f"{headers[k]}: ")
                self._cell(al, entry)
                shown += 1
            self._emit(al, TABLE_ROW, context=context)

    def _cell(self, al: Aligner, node: nodes.Element) -> None:
        """A table cell's paragraphs, list items… as one run of words."""
        for p in node.children:
            if isinstance(p, nodes.TextElement):
                self.render(al, p)
            elif isinstance(p, nodes.Element) and any(isinstance(c, nodes.Element) for c in p.children):
                self._cell(al, p)
            else:
                al.words(p.astext())
            al.space()

    def _row_region(self, row: nodes.row, first_text: str) -> tuple[int, int] | None:
        """(first, last) 0-based source lines of a table row.

        From the lines docutils gives the cells' paragraphs (grid and list tables: a row can span
        several lines, a list-table row one line per cell), checked against the source; else where
        the row's first line of text is (simple and CSV tables, whose cells have no lines)."""
        spans = [
            (n.line - 1 + self.line_base, n.line - 1 + self.line_base + n.astext().count("\n"))
            for n in row.findall(nodes.TextElement)
            if n.line and not isinstance(n, nodes.entry)
        ]
        word = first_text.split()[0]
        if spans:
            first, last = min(a for a, _ in spans), max(b for _, b in spans)
            if 0 <= first <= last < len(self.lines) and self.lines.start(first) >= self.cursor:
                lo, hi = self.lines.start(first), self.lines.end(last)
                if self.text.find(word, lo, hi) >= 0:
                    return first, last
        where = self._locate(first_text.split("\n")[0], row.line)
        if where is None:
            where = self._locate(word, row.line)
        if where is None:
            return None
        height = max(t.count("\n") for t in (e.astext() for e in row.children)) + 1
        return where[0], where[0] + height - 1

    # -- includes ---------------------------------------------------------------------------
    def _include(self, node: include_node) -> None:
        line = (node.line or 1) + self.line_base
        self._include_marks.append(self.lines.start(line - 1))
        target_spec = node["target"].strip()
        options: dict[str, str] = node["options"]
        try:
            if target_spec.startswith("<") and target_spec.endswith(">"):
                raise IncludeError("a docutils standard include, not a file of the corpus")
            target = self.ctx.resolve(
                self.path, target_spec, absolute_base=_sphinx_root(self.path, self.ctx.root)
            )
            literal = node["directive"] == "literalinclude" or "literal" in options or "code" in options
            if not literal:
                fmt = "markdown" if target.suffix.lower() in MARKDOWN else "rst"
                self.ctx.include_document(fmt, target, self._context())
                return
            text = self.ctx.text_of(target)
            opts = dict(options)
            if "start-line" in opts or "end-line" in opts:  # docutils' include options (0-based)
                lo = int(opts.pop("start-line", "0") or 0)
                hi = opts.pop("end-line", "")
                opts["lines"] = f"{lo + 1}-{hi}" if hi else f"{lo + 1}-"
            ranges = sphinx_ranges(text, opts)
            language = options.get("language") or options.get("code", "")
            context = self._context()
            if options.get("caption"):
                context = f"{context} > {options['caption']}" if context else options["caption"]
            self.ctx.include_code(self.source, line, target, ranges, context=context, language=language)
        except IncludeError as exc:
            self.ctx.unresolved_include(self.source, line, target_spec, exc.reason)


def _guess_language(code: str) -> str:
    """Sphinx's default for ``::`` blocks: Python when it is Python (a console session if it has
    ``>>>`` prompts), else none."""
    if code.lstrip().startswith(">>>"):
        return "pycon"
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return ""
    return "python"


def _sphinx_root(path: Path, root: Path) -> Path:
    """The folder of the nearest ``conf.py`` above ``path`` inside the corpus (Sphinx's source dir)."""
    folder = path.resolve().parent
    while True:
        if (folder / "conf.py").is_file():
            return folder
        if folder == root or root not in folder.parents:
            return root
        folder = folder.parent
