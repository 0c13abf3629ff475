"""Unknown words: everyday English words of a question that no indexed text uses.

"how do I run a request every 10 minutes on a schedule?" of the httpx docs: every word but
"schedule" is in the docs, and the docs' best unit (a timeout example) is as close to the question
as an answer would be. What gives it away is the word the question turns on, one the docs never
write. Foreign words (``index.query.foreign``: rare in English or written as names, "aiohttp",
"Django") were already counted; a common word the corpus lacks was not, because answerable questions
have them too: a chatty "our staging box keeps throwing ..." uses words ("box", "throwing") no docs
need. Those are everyday words; the ones a near-topic question turns on ("schedule", "throttle",
"bandwidth", "revoked", "interval") are rarer. So each unknown word weighs by how rare it is in
English (``rarity``, wordfreq's Zipf scale): nothing at ``COMMON_ZIPF`` and above, all of it at
``RARE_ZIPF`` (where a word would be foreign), linearly between; the evidence counts the weighed share
of the question's content words (``index.query.abstain``).

A paraphrase is rescued when a word of the best quotes means nearly the same (the two words embedded
alone, cosine at least ``abstain.RESCUE``: "praised" ~ "admiration" 0.59, but "schedule" ~ "timeout"
0.31, "interval" ~ "limits" 0.42). Not every paraphrase is ("creds" ~ "credentials" 0.22), which is why
this is one penalty among the evidence, weighed against how close the best units are, and not a veto.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from index.query.foreign import RARE_ZIPF, content_words, zipf

COMMON_ZIPF = 5.0  # at least this common in English ("box" 5.0, "went" 5.5): an everyday word, weighs nothing


def rarity(word: str) -> float:
    """How rare ``word`` is in English: 0 at ``COMMON_ZIPF`` and above, 1 at ``RARE_ZIPF`` and below."""
    return min(1.0, max(0.0, (COMMON_ZIPF - zipf(word)) / (COMMON_ZIPF - RARE_ZIPF)))


def unknown_words(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]],
                  foreign: Collection[str] = ()) -> tuple[list[str], int]:
    """The question's content words (``foreign.content_words``) none of whose terms the corpus uses,
    other than the ``foreign`` ones (counted apart), and how many content words it has."""
    unknown: list[str] = []
    n = 0
    for word, terms in content_words(question, stem):
        n += 1
        if word not in foreign and not any(in_corpus(t) for t in terms):
            unknown.append(word)
    return unknown, n


def unknown_share(question: str, in_corpus: Callable[[str], bool], stem: Callable[[str], list[str]],
                  foreign: Collection[str] = (), close: Callable[[str], bool] | None = None) -> float:
    """The ``rarity``-weighed share of the question's content words that are unknown to the corpus;
    an unknown word that ``close`` says a word of the best quotes means nearly the same as does not
    count ("who praised him?" of a text that quotes the "admiration" of a senator)."""
    unknown, n = unknown_words(question, in_corpus, stem, foreign)
    weights = [r for w in unknown if (r := rarity(w)) > 0 and (close is None or not close(w))]
    return sum(weights) / n if n else 0.0
