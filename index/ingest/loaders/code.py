"""Source files as code documents: cut at top-level definitions, docstrings and comments as prose.

Python goes through the standard library: ``ast`` finds the top-level statements, functions,
classes and their methods and docstrings, ``tokenize`` the exact positions of strings and
comments. A definition is a code block (its signature, then its body after the docstring), its
docstring is prose (read as reStructuredText, as Sphinx reads it), runs of top-level ``#``
comments are prose, and consecutive other statements (imports, constants) are one code block.
The context of everything in a definition is its qualified name (``Client.get``).

Other languages go through Pygments' lexer for the language: comment lines at the top level are
prose (comment markers dropped from the display text); the code between them is cut into units at
blank lines where no bracket is open, each with its first line as context.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
from pathlib import Path

from index.ingest.loaders._align import Aligner, Lines, code_block
from index.ingest.loaders._common import LoaderError, paragraph_spans, read_text
from index.ingest.loaders.context import LoadContext
from index.ingest.loaders.languages import language_of
from index.models.documents import PARAGRAPH, Block, Document


def load_code(path: Path, source: str, ctx: LoadContext | None = None) -> Document:
    text = read_text(path)
    language = language_of(path)
    blocks: list[Block] | None = None
    if language == "python":
        blocks = python_blocks(text, source, path, ctx or LoadContext(path.parent))
    if blocks is None:
        blocks = lexer_blocks(text, language or "text", path.name)
    blocks = _ordered(blocks)
    if not blocks:
        raise LoaderError("no code or comments found")
    return Document(source=source, text=text, blocks=blocks, title=path.name, format="code")


def _ordered(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in sorted(blocks, key=lambda b: b.start):
        if out and b.start < out[-1].end:
            continue
        out.append(b)
    return out


def _widened(block: Block, start: int, end: int, text: str) -> Block:
    """``block`` over ``text[start:end]`` (a comment with its markers), its display text unchanged."""
    start, end = min(start, block.start), max(end, block.end)
    if block.display is None:
        display, runs = text[block.start : block.end], ((0, block.start, block.end - block.start),)
        return dataclasses.replace(block, start=start, end=end, display=display, runs=runs)
    return dataclasses.replace(block, start=start, end=end)


# --- Python ----------------------------------------------------------------------------------
_RST_MARKUP = re.compile(r"`|::|\*|^\s*[-+] |^\s*\d+\. |^\s*\.\. |\|\S|_\b", re.M)
_DefNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


class _Python:
    def __init__(self, text: str, source: str, path: Path, ctx: LoadContext) -> None:
        self.text, self.source, self.path, self.ctx = text, source, path, ctx
        self.lines = Lines(text)
        self.blocks: list[Block] = []
        self.strings: dict[
            int, tuple[int, int]
        ] = {}  # 0-based line → (start, end) of the first string token there
        self.comments: list[
            tuple[int, int, int]
        ] = []  # (line, start, end) of whole-line comments at column 0
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            (r0, c0), (r1, c1) = tok.start, tok.end
            if tok.type == tokenize.STRING and r0 - 1 not in self.strings:
                self.strings[r0 - 1] = (self._at(r0 - 1, c0), self._at(r1 - 1, c1))
            elif tok.type == tokenize.COMMENT and c0 == 0 and not tok.line[:c0].strip():
                self.comments.append((r0 - 1, self._at(r0 - 1, c0), self._at(r1 - 1, c1)))

    def _at(self, line: int, col: int) -> int:
        return self.lines.start(line) + col

    def line_span(self, first: int, last: int) -> tuple[int, int]:
        return self.lines.start(first), self.lines.end(last)

    # -- blocks -----------------------------------------------------------------------------
    def code(self, first: int, last: int, context: str) -> None:
        """Code lines ``first … last`` (0-based, inclusive)."""
        if last < first:
            return
        content = [self.lines.line(i) for i in range(first, last + 1)]
        cut = min((len(ln) - len(ln.lstrip()) for ln in content if ln.strip()), default=0)
        block = code_block(
            self.text,
            self.lines,
            first,
            [ln[cut:] for ln in content],  # a method's lines shown dedented; its span stays verbatim
            context=context,
            language="python",
        )
        if block is not None:
            self.blocks.append(block)

    def docstring(self, node: ast.AST, context: str) -> int | None:
        """Prose blocks of ``node``'s docstring; the 0-based last line of the docstring, or None."""
        body = getattr(node, "body", None)
        if not body or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Constant):
            return None
        if not isinstance(body[0].value.value, str):
            return None
        expr = body[0]
        span = self.strings.get(expr.lineno - 1)
        if span is None:
            return None
        start, end = span
        m = re.match(r"[rRuUbBfF]*('''|\"\"\"|'|\")", self.text[start:end])
        if not m:
            return None
        quote = len(m.group(0))
        inner_start, inner_end = start + quote, end - len(m.group(1))
        self.prose(inner_start, inner_end, context)
        return (expr.end_lineno or expr.lineno) - 1

    def prose(self, start: int, end: int, context: str) -> None:
        from index.ingest.loaders.rst import RstWalker
        from index.ingest.loaders.rst_parse import parse_rst

        before = len(self.blocks)
        if not _RST_MARKUP.search(self.text, start, end):
            self._paragraphs(start, end, context)  # plain prose: no need for docutils
            return
        try:
            raw = self.text[start:end]
            first_line = self.lines.line_index(start)
            walker = RstWalker(
                self.text, self.source, self.path, self.ctx, line_base=first_line, lines=self.lines
            )
            walker.cursor = start
            walker.limit = end
            walker.base_context = context
            tree = parse_rst(_dedent_docstring(raw), self.source)
            walker.substitutions = dict(tree.substitution_defs)
            walker.walk(tree)
            self.blocks.extend(b for b in walker.finish() if start <= b.start and b.end <= end)
        except Exception:  # a docstring docutils cannot read: plain paragraphs
            del self.blocks[before:]
        if len(self.blocks) == before:
            self._paragraphs(start, end, context)

    def _paragraphs(self, start: int, end: int, context: str) -> None:
        for s, e in paragraph_spans(self.text, start, end):
            al = Aligner(self.text, s, e)
            al.words(self.text[s:e])
            block = al.block(PARAGRAPH, context=context, wrapped=True)
            if block is not None:
                self.blocks.append(block)

    def comment_run(self, run: list[tuple[int, int, int]]) -> None:
        start, end = run[0][1], run[-1][2]
        al = Aligner(self.text, start, end)
        for _, s, e in run:
            body = self.text[s:e].lstrip("#!:").strip()  # "#:" is a Sphinx doc-comment
            if body and not re.match(r"(?:noqa|type:|pragma|fmt:|-\*-|pylint:|--8<--)", body):
                al.skip_to(s)
                al.words(body)
                al.space()
        block = al.block(PARAGRAPH, context="", widen=False)
        if block is not None:  # the span is the whole comment, markers included
            self.blocks.append(_widened(block, start, end, self.text))

    def definition(self, node: _DefNode, qualname: str) -> None:
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        last = (node.end_lineno or node.lineno) - 1
        doc_last = None
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            doc_first = body[0].lineno - 1
            doc_last = self.docstring(node, qualname)
            if doc_last is not None:
                self.code(first, doc_first - 1 if doc_first > first else first, qualname)
                if doc_first == first:  # ``def f(): "doc"`` on one line: the line is code
                    return
        if isinstance(node, ast.ClassDef):
            members = [n for n in node.body if isinstance(n, _DefNode)]
            pos = (doc_last + 1) if doc_last is not None else first
            if doc_last is None and members:
                header_end = min(n.lineno for n in members) - 1
                self.code(first, header_end - 1, qualname)
                pos = header_end
            for member in members:
                m_first = min([member.lineno, *(d.lineno for d in member.decorator_list)]) - 1
                self.code(pos, m_first - 1, qualname)
                self.definition(member, f"{qualname}.{member.name}")
                pos = member.end_lineno or member.lineno
            if members:
                self.code(pos, last, qualname)
                return
            self.code(pos, last, qualname)
            return
        self.code(doc_last + 1 if doc_last is not None else first, last, qualname)

    def module(self, tree: ast.Module) -> None:
        doc_last = self.docstring(tree, "")
        comments = sorted(self.comments)
        items: list[tuple[int, int, ast.stmt | None]] = []
        for stmt in tree.body:
            if doc_last is not None and stmt is tree.body[0]:
                continue
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))]) - 1
            items.append((first, (stmt.end_lineno or stmt.lineno) - 1, stmt))
        inside = [(a, b) for a, b, _ in items]
        free_comments = [c for c in comments if not any(a <= c[0] <= b for a, b in inside)]
        group: list[tuple[int, int]] = []

        def flush() -> None:
            if group:
                self.code(group[0][0], group[-1][1], "")
                group.clear()

        ci = 0
        for first, last, stmt in items:
            run: list[tuple[int, int, int]] = []
            while ci < len(free_comments) and free_comments[ci][0] < first:
                if run and free_comments[ci][0] != run[-1][0] + 1:
                    flush()
                    self.comment_run(run)
                    run = []
                run.append(free_comments[ci])
                ci += 1
            if run:
                flush()
                self.comment_run(run)
            if isinstance(stmt, _DefNode):
                flush()
                self.definition(stmt, stmt.name)
            else:
                group.append((first, last))
        flush()
        rest = free_comments[ci:]
        if rest:
            self.comment_run(rest)


def _dedent_docstring(raw: str) -> str:
    """The docstring as Python sees it (``inspect.cleandoc``) but keeping its line count, so each
    line of the parsed text is the same line of the file."""
    lines = raw.split("\n")
    indents = [len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([lines[0].strip(), *(ln[cut:] for ln in lines[1:])])


def python_blocks(text: str, source: str, path: Path, ctx: LoadContext) -> list[Block] | None:
    """Blocks of a Python file; None when it is not valid Python (the lexer reads it then)."""
    try:
        tree = ast.parse(text)
        py = _Python(text, source, path, ctx)
    except (SyntaxError, ValueError, tokenize.TokenError, IndentationError):
        return None
    py.module(tree)
    return py.blocks


# --- other languages (Pygments) --------------------------------------------------------------
_MARKERS = re.compile(r"^\s*(?:///?!?|/\*+!?|\*+/?|#+!?|--+|;+|%+|'|rem\b)?\s?", re.I)


def lexer_blocks(text: str, language: str, filename: str) -> list[Block]:
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.token import Comment, Punctuation
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        try:
            lexer = get_lexer_for_filename(filename)
        except ClassNotFound:
            lexer = None
    lines = Lines(text)
    n = len(lines) - (1 if text.endswith("\n") else 0)
    comment_line = [False] * (n + 1)  # a line holding only a comment, at the top level
    depth_at = [0] * (n + 1)  # open brackets at each line's start
    if lexer is not None:
        depth = 0
        line_has_code = [False] * (n + 1)
        line_has_comment = [False] * (n + 1)
        depth_line = 0
        for index, ttype, value in lexer.get_tokens_unprocessed(text):
            line = lines.line_index(index)
            while depth_line < line and depth_line < n:
                depth_line += 1
                depth_at[depth_line] = depth
            if not value.strip():
                continue
            if ttype in Comment and ttype not in Comment.Preproc and ttype not in Comment.Hashbang:
                last = lines.line_index(index + len(value.rstrip("\n")) - 1)
                for k in range(line, min(last, n) + 1):
                    line_has_comment[k] = True
            else:
                line_has_code[line] = True
                if ttype in Punctuation:
                    depth += value.count("{") + value.count("(") + value.count("[")
                    depth -= value.count("}") + value.count(")") + value.count("]")
                    depth = max(depth, 0)
        for k in range(n):
            comment_line[k] = line_has_comment[k] and not line_has_code[k] and depth_at[k] == 0
    blocks: list[Block] = []
    k = 0
    while k < n:
        if not lines.line(k).strip():
            k += 1
            continue
        if comment_line[k]:
            j = k
            while j + 1 < n and comment_line[j + 1]:
                j += 1
            al = Aligner(text, lines.start(k), lines.end(j))
            for i in range(k, j + 1):
                body = _MARKERS.sub("", lines.line(i), count=1).rstrip().rstrip("*/").rstrip()
                if body:
                    al.skip_to(lines.start(i))
                    al.words(body)
                    al.space()
            block = al.block(PARAGRAPH, widen=False)
            if block is not None:  # the span is the whole comment, markers included
                start = lines.start(k) + len(lines.line(k)) - len(lines.line(k).lstrip())
                blocks.append(_widened(block, start, lines.end(j), text))
            k = j + 1
            continue
        j = k
        while j + 1 < n and not comment_line[j + 1] and (lines.line(j + 1).strip() or depth_at[j + 1] > 0):
            j += 1
        context = " ".join(lines.line(k).split())[:80]
        block = code_block(
            text, lines, k, [lines.line(i) for i in range(k, j + 1)], context=context, language=language
        )
        if block is not None:
            blocks.append(block)
        k = j + 1
    return blocks
