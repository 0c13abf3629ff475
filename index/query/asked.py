"""What value a question asks for (a year, a version, a count) and whether a quote holds one.

"what year was httpx first released?" is answered only by a text that holds a year, "how many
github stars does it have?" only by one that holds a number. When the best quotes hold no such
value the documents do not answer, however close their words are: abstention counts that against
the evidence (``index.query.abstain``).

Only questions whose wording fixes the kind of value count; "when should I use a Client?" asks
for a situation, not a date, and is left alone. These are rules about how questions are worded,
for any corpus, not about any corpus's words.
"""

from __future__ import annotations

import re

from index.query.cues import _NUMBER_WORDS

_YEAR = r"\b(?:1[5-9]\d\d|20\d\d)s?\b"
_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_VERSION = r"\bv?\d+\.\d+(?:\.\d+)*\b"
_ISO_DATE = r"\b\d{4}-\d{2}-\d{2}\b"

# question wording → the kind of value asked for (the first that matches decides)
_ASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:what|which|since which|since what|in which|in what|from which|what)\s+(?:python\s+)?"
                r"versions?\b(?!\s+of\s+(?:the\s+)?docs)|\bsince when\b|\bsince which\b", re.I), "version"),
    (re.compile(r"\b(?:what|which|in what|in which)\s+year\b", re.I), "year"),
    (re.compile(r"\bwhen\s+(?:was|were|did)\b", re.I), "date"),
    (re.compile(r"\bhow\s+(?:many|much)\b|\b(?:max(?:imum)?|min(?:imum)?|default|total)\s+number\s+of\b|"
                r"\bwhat(?:'s| is)?\s+the\s+number\s+of\b", re.I), "number"),
]

_HOLDS: dict[str, re.Pattern[str]] = {
    "year": re.compile(rf"{_YEAR}|{_ISO_DATE}", re.I),
    "version": re.compile(rf"{_VERSION}|{_YEAR}|\bversions?\s+\d+\b", re.I),
    "date": re.compile(rf"{_YEAR}|{_ISO_DATE}|\b(?:{_MONTHS})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b|"
                       rf"{_VERSION}|\bago\b|\bcentury\b", re.I),
    # a number standing on its own: "10", "max_connections=10", "5.0 seconds", not "urllib3" nor "HTTP/1.1"
    "number": re.compile(rf"(?<![\w./-])\d[\d,]*(?:\.\d+)?(?!\w|\.\d)|\b(?:{_NUMBER_WORDS}|zero|unlimited|infinite)\b", re.I),
}


def asked_value(question: str) -> str | None:
    """The kind of value the question's wording asks for: "version", "year", "date", "number" or None."""
    found = [(m.start(), kind) for pattern, kind in _ASKS if (m := pattern.search(question))]
    return min(found)[1] if found else None


def holds_value(kind: str, text: str) -> bool:
    """Whether ``text`` holds a value of ``kind`` (a year or version, a date, a number)."""
    return bool(_HOLDS[kind].search(text))


def unvalued(question: str, quotes: list[str]) -> float:
    """1.0 when the question asks for a kind of value and none of ``quotes`` holds one, else 0.0."""
    kind = asked_value(question)
    if kind is None or not quotes:
        return 0.0
    return 0.0 if any(holds_value(kind, q) for q in quotes) else 1.0
