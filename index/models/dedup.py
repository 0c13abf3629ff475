"""Collapse repeated sentences, so the same text is never indexed or cited twice — and never merge two facts.

A sentence is collapsed into an earlier one only when

- it is the **same text** after normalisation (``normalize``: Unicode NFKC, curly quotes and
  apostrophes folded to straight ones, whitespace runs to one space, ends trimmed), or
- it is a **near-duplicate** (the seed article repeats two photo captions with a few words
  changed): its word sequence matches the other's with ``difflib``'s ratio ≥ 0.85, and **no token
  that differs carries a fact** (``carries_fact``): no negation ("not", "never", "didn't",
  "without"), no number (digits, "twelve", "twice", "first"), no date ("May", "Monday", "spring",
  "yesterday"), no name (a capitalized word, an acronym, an ``identifier``), no qualifier that
  turns one statement into another ("must"/"may", "all"/"some", "more"/"less", "before"/"after",
  "enabled"/"disabled", "on"/"off"), no meaningful symbol (``<``, ``=``, ``%``, ``$``…), and no
  word that is the other's negation by prefix ("safe"/"unsafe").

Otherwise both are kept: "patients should take ibuprofen" and "patients should not take ibuprofen"
are two facts, and so are a 120-euro fee and a 150-euro one. A citation bot must never cite one
fact for another. Sentences under four words are never collapsed ("Results." repeats legitimately).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# numbers (with their inner separators and sign: 1,000 ≠ 1.000, -5 ≠ 5), words (with inner
# hyphens and apostrophes: "didn't", "well-known"), then any other single symbol
_TOKEN = re.compile(r"(?<!\w)[-+−]?\d+(?:[.,:/-]\d+)*|\w+(?:[-'’]\w+)*|[^\w\s]")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"'})



def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATIONS = _wordset(
    "not no nor never none nobody nothing nowhere neither without cannot cant dont doesnt didnt isnt "
    "arent wasnt werent wont wouldnt shouldnt couldnt mustnt neednt hasnt havent hadnt"
)
NUMBER_WORDS = _wordset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion trillion dozen dozens half halves quarter third once twice thrice single "
    "double triple first second fourth fifth sixth seventh eighth ninth tenth last next previous "
    "daily weekly monthly yearly annually hourly"
)
DATE_WORDS = _wordset(
    "january february march april may june july august september october november december jan feb mar "
    "apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday "
    "weekday weekend today tomorrow yesterday tonight noon midnight morning afternoon evening night "
    "spring summer autumn fall winter century decade year years month months week weeks day days "
    "hour hours minute minutes second seconds"
)
QUALIFIERS = _wordset(
    "must may might can could should shall will would need needs required optional always usually often "
    "sometimes rarely seldom occasionally only just all any some every each most many few more less fewer "
    "least much before after above below over under between within beyond earlier later increase increases "
    "increased decrease decreases decreased higher lower larger smaller greater bigger maximum minimum max "
    "min true false yes off disable disabled disables deny denied forbid forbidden prohibited prohibit "
    "fail fails failed reject rejected deprecated removed unsafe insecure except unless instead"
)
_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "non", "non-", "dis", "de", "anti", "a")
_MEANINGFUL_SYMBOLS = frozenset("<>=≠≤≥+−*/%$€£¥₹~^|&#@±×÷°")


def normalize(text: str) -> str:
    """The text as compared for exact duplicates: NFKC, quotes folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_" or (len(token) > 1 and token[0] in "-+−")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens: what the near-duplicate ratio compares."""
    return [t.lower() for t in tokens(text) if _is_word(t)]


def carries_fact(token: str) -> bool:
    """Whether a token that differs between two sentences makes them different statements."""
    if len(token) == 1 and not token.isalnum():
        return token in _MEANINGFUL_SYMBOLS
    if any(ch.isdigit() for ch in token):
        return True  # a number, a version, a date, an amount
    if any(ch.isupper() for ch in token) or "_" in token:
        return True  # a name, an acronym, an identifier
    lower = token.lower().replace("’", "'")
    bare = lower.replace("'", "")
    if lower.endswith("n't") or bare in NEGATIONS or lower in NEGATIONS:
        return True
    return bare in NUMBER_WORDS or bare in DATE_WORDS or bare in QUALIFIERS


def _negated_by_prefix(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether a word of one side is a word of the other with a negating prefix ("safe"/"unsafe")."""
    sa, sb = {w.lower() for w in a}, {w.lower() for w in b}
    for one, other in ((sa, sb), (sb, sa)):
        for w in one:
            for prefix in _NEGATING_PREFIXES:
                if w.startswith(prefix) and w[len(prefix) :] in other:
                    return True
    return False


def same_facts(a: list[str], b: list[str]) -> bool:
    """Whether two token sequences differ only in tokens that carry no fact (compared case-blind,
    judged with their own case: "Cat" and "cat" are the same word, "Lyon" and "Paris" two names)."""
    matcher = difflib.SequenceMatcher(None, [t.lower() for t in a], [t.lower() for t in b], autojunk=False)
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    if any(carries_fact(t) for t in (*removed, *added)):
        return False
    return not _negated_by_prefix(removed, added)


def _ratio(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


class Deduper:
    """Remembers the sentences seen so far; ``seen(text)`` tells whether one repeats an earlier one."""

    def __init__(self, near: float = 0.85, min_words: int = 4, bucket_cap: int = 32) -> None:
        self.near = near
        self.min_words = min_words
        self.bucket_cap = bucket_cap
        self._exact: dict[str, int] = {}
        self._buckets: dict[tuple[str, ...], list[tuple[list[str], list[str], int]]] = defaultdict(list)

    def seen(self, text: str, ident: int, *, near: bool = True) -> int | None:
        """The id of the earlier sentence that ``text`` duplicates, or None (then ``text`` is remembered).
        ``near=False`` (code): only the same text counts — ``"all://*.example.com"`` and
        ``"all://*example.com"``, ``pip install requests`` and ``pip install 'requests[socks]'`` differ."""
        toks = tokens(text)
        ws = [t.lower() for t in toks if _is_word(t)]
        if len(ws) < self.min_words:
            return None  # "Results." or "Methods" repeat legitimately; too short to be a passage
        key = " ".join(toks)
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        for bucket_key in self._bucket_keys(ws) if near else ():
            for other_ws, other_toks, other_id in self._buckets.get(bucket_key, ()):
                if (
                    abs(len(other_ws) - len(ws)) <= 0.3 * max(len(other_ws), len(ws))
                    and _ratio(ws, other_ws) >= self.near
                    and same_facts(toks, other_toks)
                ):
                    return other_id
        self._exact[key] = ident
        for bucket_key in self._bucket_keys(ws):
            bucket = self._buckets[bucket_key]
            if len(bucket) < self.bucket_cap:
                bucket.append((ws, toks, ident))
        return None

    @staticmethod
    def _bucket_keys(ws: list[str]) -> tuple[tuple[str, ...], ...]:
        return (("^",) + tuple(ws[:3]), ("$",) + tuple(ws[-3:]))


def similar(a: str, b: str, threshold: float = 0.85) -> bool:
    """Whether two texts say the same thing: near-duplicates differing in no fact (used to keep
    answers from repeating themselves, without hiding a sentence that says something else)."""
    ta, tb = tokens(a), tokens(b)
    wa = [t.lower() for t in ta if _is_word(t)]
    wb = [t.lower() for t in tb if _is_word(t)]
    if not wa or not wb:
        return wa == wb
    return _ratio(wa, wb) >= threshold and same_facts(ta, tb)
