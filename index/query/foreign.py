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
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from index.query.cues import code_identifiers, evidence_terms

RARE_ZIPF = 3.3  # a word under this Zipf frequency is rare in English ("django" 3.1, "curl" 3.5)

# identifier-like words: letters, digits, "_", inner "-" and "." ("web.Application", "user-agent")
_WORD = re.compile(r"[A-Za-z_][\w]*(?:[-.][\w]+)*")
# a name: a capitalized word that does not open a sentence ("Pride and Prejudice", "Django")
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w]*(?:[-.][\w]+)*")
# URLs, host names and query strings are addresses, not code names ("https://api.example.com", "?page=2")
_ADDRESS = re.compile(r"\b[a-z][\w+.-]*://\S+|\?\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|corp|local|"
                      r"internal|example|test|localhost)\b(?::\d+)?\S*", re.I)
_lock = threading.Lock()
_FILLER = frozenset(["do", "does", "did", "can", "could", "should", "would", "will", "may", "might", "must", "shall", "get", "got", "make", "i", "im"])
# chat fillers ("code pls", "lol", "thx"): how a question is typed in a chat, not what it asks about
_CHAT = frozenset(["pls", "plz", "please", "lol", "lmao", "thx", "thanks", "ty", "btw", "imo", "imho", "tbh", "idk", "ok", "okay", "hey", "hi", "hello"])


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


def address_words(question: str) -> set[str]:
    """The lower-cased words inside the question's addresses ("api", "mycompany", "com" of
    "https://api.mycompany.com"): the asker's own values, not words the docs should use."""
    return {w.lower() for a in _ADDRESS.findall(question) for w in re.findall(r"[^\W_]+", a)}


def zipf(word: str) -> float:
    """The Zipf frequency of ``word`` in English (0 for a word the list does not hold)."""
    return _english().get(word.lower(), 0.0)


# a word cut by a contraction ("isn" of "isn't", "don" of "don't"): not a word of its own
_CONTRACTED = re.compile(r"['\u2019]t\b", re.I)


def content_words(question: str, stem: Callable[[str], list[str]]) -> Iterator[tuple[str, list[str]]]:
    """The question's content words, lower-cased, each once, with their stemmed terms: no stopword,
    question word or filler ("do", "get"), no address, no contraction's stub ("isn" of "isn't") and
    no letters glued to a number ("xx" of "4xx")."""
    question = _ADDRESS.sub(" ", question)
    seen: set[str] = set()
    for m in _WORD.finditer(question):
        word = m.group(0).lower().strip("._-")
        if not word or word in seen or word in _FILLER or word in _CHAT:
            continue
        if _CONTRACTED.match(question, m.end()) or (m.start() and question[m.start() - 1].isdigit()):
            continue
        terms = evidence_terms(word, stem)
        if not terms:  # a stopword, a question word, a one-letter word
            continue
        seen.add(word)
        yield word, terms


def foreign_words(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]]) -> tuple[list[str], int]:
    """The question's foreign words and how many content words it has (``content_words``).

    ``stem``: the index's analyzer (text → stemmed terms, stopwords dropped); ``in_corpus``: whether
    a stemmed term occurs in the index. A word is foreign when none of its terms is in the corpus
    and it is written as a name (capitalized, not opening a sentence: "who wrote Pride and
    Prejudice?" of a news story) or it (or, for "user-agent", every part of it) is rare in English."""
    names = {m.group(0).lower().strip("._-") for m in _NAME.finditer(_ADDRESS.sub(" ", question).strip())}
    foreign: list[str] = []
    n = 0
    for word, terms in content_words(question, stem):
        n += 1
        if all(in_corpus(t) for t in terms):
            continue
        # "requests-toolbelt" of the httpx docs: its unseen parts decide, not the ones the corpus uses
        parts = [p for p in re.split(r"[-._]", word) if p and not all(in_corpus(t) for t in stem(p))]
        if not parts and any(in_corpus(t) for t in terms):
            continue
        if word in names or (zipf(word) < RARE_ZIPF and all(zipf(p) < RARE_ZIPF for p in parts)):
            foreign.append(word)
    return foreign, n


def foreign_share(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]]) -> float:
    """Share of the question's content words that are foreign (0 when it has none)."""
    foreign, n = foreign_words(question, in_corpus, stem)
    return len(foreign) / n if n else 0.0


# where a question says which tool it is about: "in flask, ...", "with aiohttp", "urllib3's",
# "using selenium" (not "the X way": "the cleanest way" names no tool)
_FRAMES = (
    r"\b(?:in|with|using|via|for|from|on)\s+{w}\b",
    r"\b{w}(?:'s|’s)",
)


def framed_elsewhere(question: str, foreign: list[str]) -> float:
    """1.0 when the question is framed in a tool the corpus never mentions (one of its foreign words
    stands where a question names its setting: "in flask, how do i ...", "with aiohttp ...")."""
    for word in foreign:
        w = re.escape(word)
        if any(re.search(f.format(w=w), question, re.I) for f in _FRAMES):
            return 1.0
    return 0.0


_FLAG = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")


_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
# a name at a version after a slash: a protocol or format ("HTTP/3", "HTTP/1.1", "SOCKS/5")
_VERSIONED = re.compile(r"(?<![\w/.-])[A-Za-z][A-Za-z0-9-]*/\d+(?:\.\d+)*(?![\w/]|\.\d)")
# a name the question says is missing or replaced: "there's no requests.propfind()", "instead of X"
_DENIED = re.compile(r"\b(?:no|not|never|without|instead\s+of|rather\s+than)\s+(?:a\s+|an\s+|the\s+)?$", re.I)
MAX_NAMES = 50_000  # the corpus's split code names kept in the manifest (a large corpus keeps the first)


def code_names(question: str) -> list[str]:
    """The code names a question writes: identifiers (``foo_bar``, ``Foo.bar()``, ``FooBar``,
    ``x=``, anything in backticks), command-line flags (``--resolve``) and versioned protocol names
    (``HTTP/3``); not addresses, nor a name
    the question says is absent ("there's no requests.propfind()")."""
    text = _ADDRESS.sub(" ", question)
    kept = []
    for m in _DOTTED.finditer(text):  # "no requests.propfind()": blank out denied names first
        if _DENIED.search(text[: m.start()][-20:]):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    names = [n.rstrip("(=").strip() for n in code_identifiers(text)]
    names += [m.group(0) for m in _FLAG.finditer(text) if len(m.group(0)) > 2]
    names += [m.group(0) for m in _VERSIONED.finditer(text)]
    for n in dict.fromkeys(names):
        if n and not (n.isupper() and "_" not in n and "/" not in n):  # "PROPFIND", "GET": words in capitals, not names
            kept.append(n)
    return kept


def corpus_code_names(texts: Iterable[str]) -> list[str]:
    """The code names a corpus writes that the analyzer splits or cuts (dotted names, flags, versioned
    names with the shorter versions they cover), lower-cased and
    sorted: what ``unseen_code_share`` looks a split name up in (stored in the manifest at build)."""
    found: set[str] = set()
    for text in texts:
        found.update(m.group(0).lower() for m in _DOTTED.finditer(text))
        found.update(m.group(0).lower() for m in _FLAG.finditer(text) if len(m.group(0)) > 2)
        for m in _VERSIONED.finditer(text):
            found.update(versions_of(m.group(0).lower()))
    return sorted(found)[:MAX_NAMES]


def versions_of(name: str) -> list[str]:
    """A versioned name and the shorter versions it covers: "http/1.1" → "http/1.1", "http/1" (a
    question's "HTTP/1" is written where the docs write "HTTP/1.1")."""
    base, _, version = name.partition("/")
    parts = version.split(".")
    return [f"{base}/{'.'.join(parts[:k])}" for k in range(len(parts), 0, -1)]


REMARK = 0.5  # a name in a sentence around the question ("... 2xx? requests has response.ok") counts this much


def unseen_code_share(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]],
                      written: Callable[[str], bool]) -> float:
    """Share of the question's code names that the corpus never writes (0 when it names none).

    A name the analyzer keeps whole (``assert_fingerprint``, ``MultipartEncoder``) is looked up in the
    index; one it splits or cuts (``web.Application``, ``--resolve``, ``HTTP/3``) must be ``written`` verbatim
    (case-insensitively) somewhere in the corpus. A name in a remark beside the question sentence
    (one not ending in "?", when another does) weighs ``REMARK``: it sets the scene, the question
    asks about something else ("which property says 2xx? requests has response.ok")."""
    sentences = [t for t in re.split(r"(?<=[.?!])\s+", question.strip()) if t]
    asking = any(t.endswith("?") for t in sentences)
    total = unseen = 0.0
    for sentence in sentences:
        weight = 1.0 if not asking or sentence.endswith("?") else REMARK
        for name in code_names(sentence):
            terms = stem(name)
            if not terms:
                continue
            total += 1
            if len(terms) == 1 and not name.startswith("-") and "." not in name and "/" not in name:
                unseen += weight * (not in_corpus(terms[0]))
            else:
                unseen += weight * (not written(name))
    return unseen / total if total else 0.0
