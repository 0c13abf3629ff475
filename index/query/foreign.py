"""Foreign terms: words of a question that the indexed documents never use and that are rare in
English or written as names, such as "aiohttp", "DATA_UPLOAD_MAX_MEMORY_SIZE" or "Django" asked of
the httpx docs.

A question full of them is about something else: another library, another tool. A common English
word the corpus lacks ("recipe") is not foreign; the off-topic bank and the calibration handle those.
A foreign term does not by itself mean the documents cannot answer ("how do I test my fastapi app?"
may be answered by docs that never name FastAPI), so abstention uses the *share* of such terms as
one penalty among its evidence (``index.query.abstain``), not as a veto.

English word frequencies come from the ``wordfreq`` package's small English list (Zipf scale:
log10 of occurrences per billion words; "the" ≈ 7.7, "session" ≈ 4.7, "django" ≈ 3.1). The list
is read directly from the package's data file, which costs a few milliseconds instead of the
second that importing wordfreq takes.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from index.query.cues import evidence_terms

RARE_ZIPF = 3.3  # a word under this Zipf frequency is rare in English ("django" 3.1, "curl" 3.5)

# identifier-like words: letters, digits, "_", inner "-" and "." ("web.Application", "user-agent")
_WORD = re.compile(r"[A-Za-z_][\w]*(?:[-.][\w]+)*")
# a name: a capitalized word that does not open a sentence ("Pride and Prejudice", "Django")
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w]*(?:[-.][\w]+)*")
_lock = threading.Lock()
_FILLER = frozenset(["do", "does", "did", "can", "could", "should", "would", "will", "may", "might", "must", "shall", "get", "got", "make", "i", "im"])


@lru_cache(maxsize=1)
def _english() -> dict[str, float]:
    """word → Zipf frequency, from wordfreq's ``small_en`` list (cBpack: a header, then one list of
    words per centibel of frequency, most frequent first)."""
    import msgpack

    with _lock:
        raw = (_data_dir() / "small_en.msgpack.gz").read_bytes()
        packed = msgpack.unpackb(gzip.decompress(raw), raw=False)
    zipf: dict[str, float] = {}
    for i, bucket in enumerate(packed[1:]):
        for word in bucket:
            zipf.setdefault(word, 9.0 - i / 100.0)
    return zipf


def _data_dir() -> Path:
    """wordfreq's data folder, found without importing wordfreq (whose import is slow)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def zipf(word: str) -> float:
    """The Zipf frequency of ``word`` in English (0 for a word the list does not hold)."""
    return _english().get(word.lower(), 0.0)


def foreign_words(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]]) -> tuple[list[str], int]:
    """The question's foreign words and how many content words it has.

    ``stem``: the index's analyzer (text → stemmed terms, stopwords dropped); ``in_corpus``: whether
    a stemmed term occurs in the index. A word is foreign when none of its terms is in the corpus
    and it is written as a name (capitalized, not opening a sentence: "who wrote Pride and
    Prejudice?" of a news story) or it (or, for "user-agent", every part of it) is rare in English."""
    names = {m.group(0).lower().strip("._-") for m in _NAME.finditer(question.strip())}
    seen: set[str] = set()
    foreign: list[str] = []
    for m in _WORD.finditer(question):
        word = m.group(0).lower().strip("._-")
        if not word or word in seen:
            continue
        terms = evidence_terms(word, stem)
        if not terms or word in _FILLER:  # a stopword, a question word, a one-letter word
            continue
        seen.add(word)
        if any(in_corpus(t) for t in terms):
            continue
        parts = [p for p in re.split(r"[-._]", word) if p]
        if word in names or (zipf(word) < RARE_ZIPF and all(zipf(p) < RARE_ZIPF for p in parts)):
            foreign.append(word)
    return foreign, len(seen)


def foreign_share(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]]) -> float:
    """Share of the question's content words that are foreign (0 when it has none)."""
    foreign, n = foreign_words(question, in_corpus, stem)
    return len(foreign) / n if n else 0.0
