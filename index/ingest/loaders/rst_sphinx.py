"""The Sphinx vocabulary docutils does not know, as docutils directives and roles.

docutils alone stops at every Sphinx directive (``code-block``, ``literalinclude``, ``versionadded``,
``autoclass``…) and role (``:func:``, ``:ref:``) with an error and shows its raw text. These
classes turn them into small marker nodes that the reStructuredText walker reads:

* ``code_node`` — a code block with its language and the absolute line of its first content line;
* ``include_node`` — ``include`` / ``literalinclude`` (resolved by the loader, never inlined);
* ``container_node`` — a directive whose content is text (admonition-like Sphinx directives,
  tabs, cards, ``py:function`` descriptions, any unknown directive), with its title;
* ``api_node`` — an autodoc directive (its own text, if any, is kept as a container's);
* ``role_node`` — any role docutils does not define, with its name and content.

Every directive name met in a file that neither docutils nor this module knows is registered as a
generic container before parsing (``register_unknown``), so no directive aborts a file.
"""

from __future__ import annotations

import ast
import re
import textwrap

from docutils import nodes, utils
from docutils.parsers.rst import Directive, directives, roles
from docutils.parsers.rst.states import Inliner

# autodoc and its kin: their text comes from code this loader never imports (kept as an api_node)
API_DIRECTIVES = frozenset(
    [
        "automodule",
        "autoclass",
        "autofunction",
        "automethod",
        "autoattribute",
        "autodata",
        "autoexception",
        "autosummary",
        "autoprogram",
        "autopydantic_model",
        "autodecorator",
        "autoproperty",
        "autonewtypedata",
        "autotypeddict",
        "click",
        "argparse",
        "typer",
    ]
)


class code_node(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    pass


class include_node(nodes.General, nodes.Element):  # noqa: N801
    pass


class container_node(nodes.General, nodes.Element):  # noqa: N801
    pass


class api_node(nodes.General, nodes.Element):  # noqa: N801
    pass


class silent_node(nodes.General, nodes.Element):  # noqa: N801
    pass


class role_node(nodes.Inline, nodes.TextElement):  # noqa: N801
    pass


class _AnyOptions(dict):
    """Accepts every option (Sphinx directives have many; their values are read as text)."""

    def __missing__(self, key: str):  # type: ignore[no-untyped-def]
        return directives.unchanged

    def __contains__(self, key: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


_ANY_OPTIONS = _AnyOptions()


class _Code(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = False
    option_spec = _ANY_OPTIONS

    def run(self) -> list[nodes.Node]:
        name = self.name.lower().split(":")[-1]
        language = FIXED_LANGUAGE.get(name, (self.arguments[0] if self.arguments else "").lower())
        return [_code_of(self, language)]


def _code_of(directive: Directive, language: str) -> code_node:
    """The directive's content as a code block in ``language``, located by its first content line."""
    node = code_node()
    node["language"] = language
    node["first"] = directive.content_offset
    node["content"] = list(directive.content)
    node.line = directive.lineno
    return node


class _Highlight(Directive):
    required_arguments = 1
    option_spec = _ANY_OPTIONS

    def run(self) -> list[nodes.Node]:
        node = silent_node()
        node["highlight"] = self.arguments[0].lower()
        return [node]


class _Include(Directive):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = _ANY_OPTIONS
    has_content = False

    def run(self) -> list[nodes.Node]:
        node = include_node()
        node["directive"] = self.name
        node["target"] = self.arguments[0]
        node["options"] = {k: ("" if v is None else str(v)) for k, v in self.options.items()}
        node.line = self.lineno
        return [node]


_VERSION_TITLES = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
ADMONITION_LIKE = frozenset({*_VERSION_TITLES, "seealso", "todo", "admonition-todo", "dropdown", "card"})


class _Container(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _ANY_OPTIONS

    def run(self) -> list[nodes.Node]:
        node = container_node()
        name = self.name.lower().split(":")[-1]
        arg = self.arguments[0] if self.arguments else ""
        rest = ""
        if name in _VERSION_TITLES:
            version, rest = (arg.split(None, 1) + [""])[:2] if arg.strip() else ("", "")
            node["title"] = f"{_VERSION_TITLES[name]} {version}".strip()
        elif name == "seealso":
            node["title"], rest = "See also", arg
        else:
            node["title"] = " ".join(arg.split())
        node["admonition"] = name in ADMONITION_LIKE
        node["name"] = name
        node.line = self.lineno
        if rest.strip():  # ``.. versionchanged:: 2.3 Text…`` (Sphinx reads the rest as the first paragraph)
            inline, messages = self.state.inline_text(rest.strip(), self.lineno)
            para = nodes.paragraph(rest.strip(), "", *inline)
            para.line = self.lineno
            node += para
        node["bare"] = not rest.strip() and not self.content
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


_CODE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Call,
               ast.Assign, ast.With, ast.AsyncWith)


def content_language(lines: list[str]) -> str | None:
    """``"python"`` / ``"pycon"`` when a directive's content is source code rather than reStructuredText.

    Projects define their own directives for examples (``.. click:example::``, ``.. click:run::``,
    ``.. exec_code::``); nobody here knows them, and their content read as reStructuredText turns a
    function into a paragraph and its indented body into block quotes. Content is code when it is a
    Python session (``>>>``) or parses as Python with a definition, an import, a call or an assignment
    in it: prose does not parse ("Use it like this." is a syntax error), and a bare word is not code.
    """
    text = textwrap.dedent("\n".join(lines)).strip("\n")
    if not text.strip():
        return None
    if text.lstrip().startswith(">>> "):
        return "pycon"
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return "python" if any(isinstance(n, _CODE_NODES) for n in ast.walk(tree)) else None


class _UnknownContainer(_Container):
    """A directive nobody here knows: a code block when its content is code, else a generic container."""

    def run(self) -> list[nodes.Node]:
        language = content_language(list(self.content)) if self.content else None
        return super().run() if language is None else [_code_of(self, language)]


class _Api(_Container):
    def run(self) -> list[nodes.Node]:
        node = api_node()
        node["target"] = self.arguments[0] if self.arguments else ""
        node.line = self.lineno
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Silent(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _ANY_OPTIONS

    def run(self) -> list[nodes.Node]:
        return []


_SILENT = [
    "toctree",
    "index",
    "module",
    "currentmodule",
    "py:module",
    "py:currentmodule",
    "sectionauthor",
    "codeauthor",
    "moduleauthor",
    "tabularcolumns",
    "spelling",
    "spelling:word-list",
    "only-html",
    "raw-html",
    "autosummary-skip",
    "default-domain",
    "default-role-sphinx",
]
_CODE = ("code-block", "sourcecode", "code", "code-cell", "ipython", "jupyter-execute", "testcode", "doctest",
         "testoutput")
CODE_DIRECTIVES = frozenset(_CODE)
# code directives whose argument is a test group or an option, not a language (sphinx.ext.doctest, Jupyter)
FIXED_LANGUAGE = {"doctest": "pycon", "testcode": "python", "testoutput": "text", "jupyter-execute": "python",
                  "ipython": "ipython"}
# directives whose content the built page does not show as text: doctest's hidden setup and cleanup, and
# diagrams drawn from their source (the page shows a picture, not the mermaid or dot lines)
HIDDEN_DIRECTIVES = ("testsetup", "testcleanup", "mermaid", "graphviz", "graph", "digraph", "plantuml", "uml")

_KNOWN_DOCUTILS = frozenset(getattr(directives, "_directive_registry", {})) | {
    "admonition", "attention", "caution", "danger", "error", "hint", "important", "note", "tip",
    "warning", "image", "figure", "topic", "sidebar", "rubric", "epigraph", "highlights",
    "pull-quote", "compound", "container", "table", "csv-table", "list-table", "contents",
    "sectnum", "header", "footer", "replace", "unicode", "date", "class", "role", "default-role",
    "title", "meta", "line-block", "parsed-literal", "math", "raw",
}  # fmt: skip
_REGISTERED: set[str] = set()


def _register(name: str, cls: type[Directive]) -> None:
    directives.register_directive(name, cls)
    _REGISTERED.add(name)


def register_sphinx() -> None:
    if _REGISTERED:
        return
    for name in _CODE:
        _register(name, _Code)
    _register("highlight", _Highlight)
    _register("include", _Include)
    _register("literalinclude", _Include)
    for name in (*_SILENT, *HIDDEN_DIRECTIVES):
        _register(name, _Silent)
    for name in API_DIRECTIVES:
        _register(name, _Api)
    for name in (*_VERSION_TITLES, "seealso", "glossary", "hlist", "centered", "only", "ifconfig", "tabs", "tab",
                 "group-tab", "code-tab", "tab-set", "tab-item", "card", "grid", "grid-item", "grid-item-card",
                 "dropdown", "todo", "deprecated"):  # fmt: skip
        _register(name, _Container)


_DIRECTIVE_NAME = re.compile(r"^[ \t]*\.\.[ \t]+([\w][\w:+.-]*)[ \t]*::", re.M)


def register_unknown(source_text: str) -> None:
    """Register every directive name of ``source_text`` that nobody knows as a generic container."""
    for name in set(_DIRECTIVE_NAME.findall(source_text)):
        key = name.lower()
        if key in _REGISTERED or key in _KNOWN_DOCUTILS:
            continue
        base = key.split(":")[-1]
        if base.startswith("auto") or base in API_DIRECTIVES:
            _register(key, _Api)
        elif base in _CODE:
            _register(key, _Code)
        elif base in ("module", "currentmodule"):
            _register(key, _Silent)
        else:
            _register(key, _UnknownContainer)


_DOCUTILS_ROLES = frozenset(
    [
        "emphasis",
        "strong",
        "literal",
        "code",
        "math",
        "pep-reference",
        "pep",
        "rfc-reference",
        "rfc",
        "subscript",
        "sub",
        "superscript",
        "sup",
        "title-reference",
        "title",
        "t",
        "abbreviation",
        "ab",
        "acronym",
        "ac",
        "raw",
        "uri-reference",
        "uri",
        "url",
    ]
)


def _role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner, options=None, content=None):
    node = role_node(rawtext, utils.unescape(text))
    node["name"] = name
    return [node], []


def sphinx_inliner() -> Inliner:
    """docutils' inliner, with every role it does not define read as a Sphinx role (a wrapped
    method rather than a subclass: docutils builds its patterns from the class's own attributes)."""
    inliner = Inliner()
    interpreted = inliner.interpreted

    def sphinx_interpreted(rawsource, text, role, lineno):  # type: ignore[no-untyped-def]
        key = role.lower()
        if role and key not in _DOCUTILS_ROLES and key not in getattr(roles, "_roles", {}):
            return _role(role, rawsource, text, lineno, inliner)
        return interpreted(rawsource, text, role, lineno)

    inliner.interpreted = sphinx_interpreted  # type: ignore[method-assign]
    return inliner
