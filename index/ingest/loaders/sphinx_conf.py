"""What a Sphinx ``conf.py`` says about the text of its pages, read without running it.

Sphinx replaces ``|version|``, ``|release|`` and ``|today|`` with values from ``conf.py``, and
appends ``rst_prolog`` / ``rst_epilog`` (usually ``.. |name| replace:: …`` definitions) to every
page. ``conf_substitutions`` reads those from the file's syntax tree (``ast``): only assignments of
plain string literals at the top level count; a value computed at build time
(``version = requests.__version__``) is unknown here, and its substitution shows nothing.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from docutils import nodes

from index.ingest.loaders._common import log
from index.ingest.loaders.rst_parse import parse_rst

CONF_VALUES = ("version", "release", "today", "project", "copyright", "author")
_TEXT_VALUES = ("rst_prolog", "rst_epilog")


def _literal_assignments(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if isinstance(target, ast.Name):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out[target.id] = value.value
            else:
                out.pop(target.id, None)  # reassigned to something computed: unknown
    return out


def conf_substitutions(conf: Path) -> dict[str, str]:
    """Substitution name → its text, from the Sphinx ``conf.py`` at ``conf`` ({} if unreadable)."""
    try:
        mtime = conf.stat().st_mtime_ns
    except OSError:
        return {}
    return _read(conf, mtime)


@lru_cache(maxsize=32)
def _read(conf: Path, mtime: int) -> dict[str, str]:
    try:
        tree = ast.parse(conf.read_text(encoding="utf-8"), str(conf))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        log.warning("%s: not read for substitutions (%s)", conf.name, exc.__class__.__name__)
        return {}
    values = _literal_assignments(tree)
    out = {name: values[name] for name in CONF_VALUES if name in values}
    for name in _TEXT_VALUES:
        if name in values:
            out.update(_definitions(values[name], str(conf)))
    return out


def _definitions(text: str, source: str) -> dict[str, str]:
    """The ``.. |name| …`` substitution definitions of an rst_prolog/rst_epilog, as plain text."""
    try:
        doctree = parse_rst(text, source)
    except Exception:  # noqa: BLE001 (docutils' own bug on a strange prolog: no substitutions from it)
        return {}
    return {
        name: " ".join(node.astext().split())
        for name, node in doctree.substitution_defs.items()
        if isinstance(node, nodes.substitution_definition)
    }
