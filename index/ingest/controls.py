"""Control characters: the one rule for document text and questions alike.

Every control character but tab, line feed, carriage return and form feed (C0, DEL, C1 — NUL
included) and every bidirectional embedding, override or isolate character (U+202A–U+202E,
U+2066–U+2069: they can make a quote display differently from what it says) is replaced by one
space. One character for one: offsets and line numbers do not move. (A file read as text with a NUL
in it is refused as binary before this rule applies: ``index.ingest.loaders._common``.)
"""

from __future__ import annotations

import re

CONTROLS = "".join(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r\f"]
    + [chr(0x7F)]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)
_CONTROL_RE = re.compile(f"[{re.escape(CONTROLS)}]")
_TO_SPACE = str.maketrans(dict.fromkeys(CONTROLS, " "))


def has_controls(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def strip_controls(text: str) -> str:
    """``text`` with every control character replaced by a space (same length, same offsets)."""
    return text.translate(_TO_SPACE) if has_controls(text) else text
