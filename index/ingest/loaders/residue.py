"""Markup left in a display text: the check that a loader rendered its format completely.

Display text is what people read and what the model and BM25 see, so a loader must leave no
markup in it: no ``**bold**``, no ``[text](url)``, no ``<tag>``, no ``:role:`…```, no directive or
admonition marker, no include line. ``residue(display)`` names every kind of markup still in one
display text (an empty list when it is clean). Inline code runs (```…```) are kept in display text
on purpose, and anything inside them is code shown verbatim, so they are left out of the check.
It is used by the loader tests over the real docs folders and by the build summary, which counts
the blocks that still carry markup (there should be none).
"""

from __future__ import annotations

import re

# inline code as display text shows it: `code` (single backticks; a loader renders ``literal`` so)
_INLINE_CODE = re.compile(r"(?<!`)`(?!`)([^`]+)(?<!`)`(?!`)")

# (name, pattern) of every markup residue checked, on display text with inline code removed
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("emphasis **", re.compile(r"\*\*|(?<![\w*])\*(?=[^\s*])[^*\n]+(?<=[^\s*])\*(?![\w*])")),
    ("emphasis __", re.compile(r"(?<!\w)__(?=\S)(?=[^_\n]*[A-Z\s])[^_\n]+(?<=\S)__(?!\w)")),  # not __init__
    ("backtick", re.compile(r"`")),  # a backtick outside inline code: ``literal``, `link`_, a stray one
    ("Markdown link", re.compile(r"!?\[[^\]\n]*\]\([^)\s]*\)|\[[^\]\n]+\]\[[^\]\n]*\]")),
    ("footnote reference", re.compile(r"\[\^[^\]\s]+\]")),
    ("HTML tag", re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>|<!--")),
    ("HTML entity", re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")),
    ("rST directive", re.compile(r"(?:^|\s)\.\. [\w:|-]+(?:::|:)(?=\s|$)|^\.\. _[^:]+:", re.M)),
    ("rST link", re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9-]*__?(?![\w-])|<(?:https?|mailto):[^>]*>`?_")),
    ("rST substitution", re.compile(r"(?<![\w|])\|[^\s|][^|\n]*(?<=\S)\|(?![\w|])")),
    ("rST footnote", re.compile(r"\[(?:#\w*|\*|\d+)\]_")),
    ("pymdown block", re.compile(r"(?:^|\s)/{3,}(?=\s|$)")),
    ("admonition marker", re.compile(r"(?:^|\n)\s*(?:!!!|\?\?\?\+?)\s|^=== \"", re.M)),
    ("code include", re.compile(r"\{\*.*?\*\}")),
    ("snippet include", re.compile(r"-{1,2}8<-{1,2}")),
    ("mkdocstrings", re.compile(r"^:::\s*\w", re.M)),
    ("attribute list", re.compile(r"\{\s*[:.#][\w.#:=\"' -]*\}")),
    ("icon shortcode", re.compile(r"(?<![\w:/]):[a-z][a-z0-9_]*(?:[-+][a-z0-9_]+)*:(?![\w:/])")),  # :material-check:
    ("template", re.compile(r"\{\{.*?\}\}|\{%.*?%\}")),
    ("heading marker", re.compile(r"^#{1,6}\s|^[=\-~^\"'`#*+]{4,}$", re.M)),
    ("escape", re.compile(r"\\[\\`*_{}\[\]()#+\-.!|<>]")),
)

# checked on the whole display text: they are made of backticks, which inline code removal would eat
_RAW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rST role", re.compile(r"(?<![\w:]):[a-zA-Z][\w.+-]*(?::[\w.+-]+)?:`|\{[a-z][\w:.-]*\}`")),
    ("rST link", re.compile(r"`_{1,2}(?!\w)")),
    ("double backticks", re.compile(r"``")),
)
NAMES = tuple(name for name, _ in _RAW_PATTERNS + _PATTERNS)


def without_inline_code(display: str) -> str:
    """``display`` with every inline code run (single backticks, as display text shows code)
    replaced by a space: its content is verbatim code."""
    return _INLINE_CODE.sub(" ", display)


def residue(display: str) -> list[str]:
    """The kinds of markup left in a prose block's display text, in check order ([] when clean)."""
    return list(dict.fromkeys(name for name, _ in residue_matches(display)))


def residue_matches(display: str) -> list[tuple[str, str]]:
    """(kind, matched text) for every markup residue in ``display`` (for messages)."""
    found = [(name, m.group(0)) for name, pattern in _RAW_PATTERNS for m in pattern.finditer(display)]
    text = without_inline_code(display)
    return found + [(name, m.group(0)) for name, pattern in _PATTERNS for m in pattern.finditer(text)]
