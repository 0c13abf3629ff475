"""The asker's own addresses: what a question is searched with when it carries a URL the docs never write.

People paste their own values into a question: "how do i point my Client at our corporate proxy
(http://proxy.corp:3128)?", "tired of repeating https://api.mycompany.com in every call". Such an
address is the asker's server or API, not words the docs use: its pieces ("https", "api", "com",
"3128") match every example URL of the docs in BM25 and pull the question's vector towards code
examples, while the passage that answers says what the address *is* ("pass the proxy URL to the
client", "prepend an URL to all outgoing requests"). So retrieval can search such a question with the
address replaced by what docs call it (``RetrievalParams.own_address="URL"``; off by default: it gained
on the tuning sets and lost one held-out question, BENCHMARKS.md "Wave 6").

An address is the asker's own when one of its host's words is not in the corpus ("mycompany",
"corp"); one the docs write ("https://httpbin.org/get" of the httpx docs, "api.github.com" of the
requests docs) is kept, since its words are then evidence. The rewritten text is what the question is
embedded and BM25-searched with (so every cosine is to it); the lexical evidence of quotes, the cues
and abstention's word checks read the question as asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# a URL with a scheme, or a host with a dotted name ending in a common top-level name, with an
# optional port and path; a trailing ")" / "," / "." / "?" closes the sentence, not the address
_ADDRESS = re.compile(
    r"\b[a-z][\w+.-]*://[^\s)\]>\"'`]+|"
    r"\b(?:[\w-]+\.)+(?:com|org|net|io|dev|corp|local|internal|lan|example|test)\b(?::\d+)?(?:/[^\s)\]>\"'`]*)?",
    re.I,
)
_TRAILING = ".,;:!?"
_SCHEME = re.compile(r"^[a-z][\w+.-]*://", re.I)
# the parts of a host that every address has: not what makes it the asker's
_GENERIC = frozenset({"www", "com", "org", "net", "io", "dev", "http", "https"})


def host_words(address: str) -> list[str]:
    """The words of an address's host, lower-cased ("https://api.mycompany.com:8443/v1" → api, mycompany)."""
    host = _SCHEME.sub("", address).split("/", 1)[0].split("@")[-1].split(":", 1)[0]
    return [w for w in re.split(r"[.-]", host.lower()) if w and not w.isdigit() and w not in _GENERIC]


def own_addresses(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]]) -> list[str]:
    """The addresses in ``question`` that are the asker's own: a word of the host the corpus never uses.

    ``stem``: the index's analyzer (text → stemmed terms); ``in_corpus``: whether a stemmed term occurs
    in the index."""
    out = []
    for m in _ADDRESS.finditer(question):
        address = m.group(0).rstrip(_TRAILING)
        words = host_words(address)
        if any(not all(in_corpus(t) for t in stem(w)) for w in words):
            out.append(address)
    return out


def searched_text(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]], word: str) -> str:
    """``question`` with each of the asker's own addresses replaced by ``word`` ("" leaves it as asked)."""
    if not word:
        return question
    for address in own_addresses(question, in_corpus, stem):
        question = question.replace(address, word)
    return question
