"""What value a question asks for (a year, a version, a count) and whether a quote holds one.

"what year was httpx first released?" is answered only by a text that holds a year, "how many
github stars does it have?" or "what's the ping interval?" only by one that holds a number. When the best quotes hold no such
value the documents do not answer, however close their words are: abstention counts that against
the evidence (``index.query.abstain``).

Only questions whose wording fixes the kind of value count; "when should I use a Client?" asks
for a situation, not a date, and is left alone. These are rules about how questions are worded,
for any corpus, not about any corpus's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
    # a measure: how often, an interval or frequency asked with "what", an extreme size / length / rate
    # ("what's the maximum size of response headers", "the max url length"; "the largest city" asks for a name)
    (re.compile(r"\bhow\s+often\b|\bwhat(?:'s|s|\s+is|\s+are)?\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:intervals?|frequency)\b|"
                r"\b(?:max(?:imum)?|min(?:imum)?|largest|longest|biggest|smallest|shortest)\s+(?:[\w-]+\s+){0,2}?"
                r"(?:size|length|duration|interval|rate|count|amount|depth|timeout)s?\b", re.I), "number"),
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


# "how many github stars does it have": the words naming what is counted, up to the verb or a
# preposition; a generic unit ("times", "ways") names nothing to look for
_HOW_MANY = re.compile(r"\bhow\s+many\s+([A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,2})", re.I)
_NOT_COUNTED = frozenset(re.findall(r"\S+", (
    "a an the of in on at for to per by with from into about and or but than that which who whose there here "
    "i you we they it he she me us them my your our their its this these those "
    "do does did is are was were be been can could will would should shall may might must have has had "
    "get got more other different times time ways kinds types sorts")))


def counted_words(question: str) -> list[str]:
    """The words naming what a "how many X" question counts ("how many github stars does it have" →
    github, stars): at most three, up to the first verb, preposition or pronoun."""
    m = _HOW_MANY.search(question)
    if m is None:
        return []
    out: list[str] = []
    for word in m.group(1).split():
        if word.lower() in _NOT_COUNTED:
            break
        out.append(word)
    return out


def uncounted(question: str, named: Callable[[str], bool], close: Callable[[str, list[str]], bool] | None = None,
              quotes: list[str] = ()) -> bool:  # type: ignore[assignment]
    """Whether a "how many X" question counts a thing the documents never name (``named``: whether the
    corpus uses a word) and that no word of ``quotes`` is ``close`` to (if given: "people" is close to
    "residents", "stars" to nothing in "<Response [200]>"): "how many github stars" of docs that never
    say "star". Then no number in them counts it, however many numbers they hold."""
    # "kgs" where the docs write "kg": an abbreviation's plural, which a stemmer leaves alone
    absent = [w for w in counted_words(question)
              if not named(w) and not (len(w) > 2 and w[-1] in "sS" and named(w[:-1]))]
    return any(close is None or not close(w, list(quotes)) for w in absent)


def unvalued(question: str, quotes: list[str], named: Callable[[str], bool] | None = None,
             close: Callable[[str, list[str]], bool] | None = None) -> float:
    """1.0 when the question asks for a kind of value and none of ``quotes`` holds one, else 0.0; also 1.0
    when it asks how many of a thing the corpus never names and no quote word is close to
    (``named``, ``close``, if given: ``uncounted``)."""
    kind = asked_value(question)
    if kind is None or not quotes:
        return 0.0
    if kind == "number" and named is not None and uncounted(question, named, close, quotes):
        return 1.0
    return 0.0 if any(holds_value(kind, q) for q in quotes) else 1.0


# a question that asks *whether* (yes or no): it opens with an auxiliary verb, after a chat opener
# ("can griffe parse epytext docstrings", "is there a processor that ...", "so does it ...")
_WHETHER = re.compile(r"^\W*(?:(?:so|also|and|but|hey|hi|ok|okay|quick question|q)\b\W*)?"
                      r"(?:can|could|does|do|did|is|are|was|were|will|would|should|has|have|may|might)\b", re.I)


def asks_whether(question: str) -> bool:
    """Whether the question asks if something is so ("can griffe parse epytext docstrings?"), not how
    or what. Of such a question the thing asked about is the point: when the docs never name it, they
    do not answer; a how-to question often brings the asker's own setting ("over
    /var/run/docker.sock") and is answered by the general mechanism."""
    return bool(_WHETHER.match(question))
