"""How Sphinx (and MyST) roles render: ``:func:`foo``` → `` `foo` ``, ``:ref:`text <label>``` → text.

Cross-reference roles show their explicit title, else their target (``~a.b.C`` → ``C``, a
leading ``!`` dropped); roles that name code (``func``, ``class``, ``meth``, ``option``…) are
shown as inline code, the others (``ref``, ``doc``, ``term``, ``abbr``…) as plain text.
"""

from __future__ import annotations

import re

_CODE_ROLES = frozenset(
    [
        "func",
        "meth",
        "class",
        "attr",
        "mod",
        "obj",
        "exc",
        "data",
        "const",
        "type",
        "member",
        "var",
        "envvar",
        "option",
        "program",
        "command",
        "file",
        "samp",
        "kbd",
        "code",
        "literal",
        "function",
        "method",
        "module",
        "exception",
        "attribute",
        "property",
        "macro",
        "struct",
        "enum",
        "enumerator",
        "expr",
        "texpr",
        "cpp:func",
        "c:func",
        "decorator",
    ]
)
_TITLE_TARGET = re.compile(r"^(.*?)\s*<([^<>]*)>$", re.S)


def role_display(name: str, content: str) -> tuple[str, bool]:
    """(shown text, whether it is code) of role ``name`` with content ``content``."""
    base = name.lower().split(":")[-1]
    content = " ".join(content.split())
    if base in ("pep", "rfc"):
        return f"{base.upper()} {content.split('#')[0]}", False
    if base == "abbr":
        return content, False
    if base in ("math", "sub", "sup", "subscript", "superscript", "emphasis", "strong", "title-reference"):
        return content, False
    m = _TITLE_TARGET.match(content)
    if m and m.group(1):
        shown = m.group(1)
    else:
        target = m.group(2) if m else content
        shown = target.lstrip("!")
        if shown.startswith("~"):
            shown = shown[1:].rsplit(".", 1)[-1]
        if base in ("doc",):
            shown = shown.rsplit("/", 1)[-1]
    return shown, base in _CODE_ROLES
