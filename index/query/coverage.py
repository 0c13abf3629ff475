"""Weakest-link coverage: how well the question's least covered unused word is matched near it.

A near-topic question that the docs do not answer ("can a fenced code block with mermaid be turned
into a diagram", "does werkzeug have csrf protection for forms built in") shares its topic with its
neighbours, so its best cosine and lexical share look like an answerable question's; what gives it
away is one word the docs never use and nothing near the question means ("mermaid", "csrf").

The words looked at are the question's *unused* words: words of its token states (word pieces joined
back into words) that the corpus never uses (no stemmed term in the index), that are rare in English
(Zipf frequency under ``foreign.RARE_ZIPF``) and that are not part of an address the question gives
("api.mycompany.com" is the asker's own value). Common words the docs do not use ("box", "tired",
"rotate") are how people talk, not what they ask about: they do not count (with them, every asked
feature the docs lack cost one answerable question; BENCHMARKS.md, "Weakest-link coverage").
Each unused word's coverage is the mean, over its word pieces, of their best cosine to the
contextual token states of the ``K`` units closest to the question (by the cosine retrieval already
computed: the ``cos`` column of the candidate rows), and

    uncovered = 1 − min over the unused words of their coverage    (0 when there is none)

A paraphrase or an inflection in a close unit covers an unused word ("uploading" near "upload"); a
misspelling of a word the retrieved passages write is that word ("consitution", "Hollwood": ``misspells``, the
standard library's ``difflib`` ratio at least ``TYPO_RATIO``), and so is a clipping of one ("env vars" where
they write "environment variables": ``clips``); a feature the docs lack is covered by nothing. The token
states are those the refine stage reads
(``Context.token_states``: the question's from its retrieval pass, the units' stored with the index,
computed and kept in an LRU when it stores none); a question without unused words reads none. The
calibration's pseudo-questions leave their own unit out of the ``K`` (``exclude``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.query.cues import corpus_has
from index.query.foreign import RARE_ZIPF, address_words, zipf
from index.query.refine import content_mask

if TYPE_CHECKING:
    from index.models.embeddings import Tokens
    from index.query.state import Context, QueryState

# the units whose token states cover the question: its closest ones by cosine. With 5 the unit that
# would paraphrase an unused word is more often missing; 8 and 12 give the same on the tuning sets
# (leave-one-corpus-out chose 8 in every fold: BENCHMARKS.md, "Weakest-link coverage")
K = 8
# a misspelling: the ratio of one edit in a word of five letters or more ("framd" ~ "frame" 0.80,
# "stong" ~ "strong" 0.91); SQuAD's typed questions hold dozens ("coruption", "povertly", "whwn")
TYPO_RATIO = 0.8
TYPO_MIN = 5  # shorter words are not checked: one edit of a 4-letter name is another name ("csrf" ~ "csr" 0.86)
# a clipped word: "env" of "environment", "vars" of "variables"; shorter ones are not checked ("ci" opens
# "circle", "cipher"), and the long word must be longer by a syllable or so ("type" is not "typed" clipped)
CLIP_MIN = 3
CLIP_EXTRA = 3
_ALPHA = re.compile(r"[^\W\d_]")
_TEXT_WORD = re.compile(r"[^\W\d_]{3,}")


def closest_units(state: QueryState, k: int = K, exclude: Collection[int] = ()) -> list[int]:
    """The ``k`` distinct candidate units of ``state`` with the highest cosine to the question, best first,
    leaving out ``exclude``."""
    rows = state.rows
    if rows is None or not len(rows):
        return []
    cos = rows.column("cos")
    best: dict[int, float] = {}
    for (unit, _), c in zip(state.meta, cos.tolist(), strict=True):
        if unit not in exclude and c > best.get(unit, -np.inf):
            best[unit] = c
    return sorted(best, key=lambda u: -best[u])[:k]


def words(pieces: Sequence[str]) -> list[tuple[str, list[int]]]:
    """The words of a text's word pieces ("mer", "##maid" → "mermaid") with the indices of their pieces,
    in order; punctuation pieces are words of their own ("python", "-", "markdown")."""
    out: list[tuple[str, list[int]]] = []
    for i, p in enumerate(pieces):
        if p.startswith("##") and out:
            word, idx = out[-1]
            out[-1] = (word + p[2:], [*idx, i])
        else:
            out.append((p, [i]))
    return out


def unused_words(question: str, pieces: Sequence[str], used: Callable[[str], bool]) -> list[tuple[str, list[int]]]:
    """The words of ``pieces`` (the question's) that count: content words with a letter, not in an address
    of ``question``, rare in English, that ``used`` (the corpus uses the word) says no to."""
    content = content_mask(list(pieces))
    addressed = address_words(question)
    return [(w, idx) for w, idx in words(pieces)
            if any(content[i] for i in idx) and _ALPHA.search(w) and w.lower() not in addressed
            and zipf(w) < RARE_ZIPF and not used(w)]


def misspells(word: str, texts: Sequence[str]) -> bool:
    """Whether ``word`` (of ``TYPO_MIN`` letters or more) is a misspelling of a word of ``texts`` (``difflib``
    ratio ≥ ``TYPO_RATIO``)."""
    if len(word) < TYPO_MIN:
        return False
    written = {w.lower() for t in texts for w in _TEXT_WORD.findall(t)}
    return bool(difflib.get_close_matches(word.lower(), written, n=1, cutoff=TYPO_RATIO))


def clips(word: str, texts: Sequence[str]) -> bool:
    """Whether ``word`` (of ``CLIP_MIN`` letters or more) is a clipped form of a longer word of ``texts``
    ("env" of "environment", "vars" of "variables", "creds" of "credentials"): its letters, less a plural
    "s", open a word of ``texts`` at least ``CLIP_EXTRA`` letters longer."""
    stem = word.lower()
    if len(stem) > CLIP_MIN and stem.endswith("s"):
        stem = stem[:-1]
    if len(stem) < CLIP_MIN:
        return False
    written = {w.lower() for t in texts for w in _TEXT_WORD.findall(t)}
    return any(w.startswith(stem) and len(w) >= len(stem) + CLIP_EXTRA for w in written)


def uncovered(question: Tokens, units: Sequence[Tokens], chosen: Sequence[Sequence[int]]) -> float:
    """1 − the smallest coverage of the words ``chosen`` (lists of the question's piece indices): the mean
    of their pieces' best cosine to any token of ``units`` (0 with no word or nothing to compare)."""
    vectors = [u.vectors for u in units if len(u.vectors)]
    if not chosen or not len(question.vectors) or not vectors:
        return 0.0
    best = (question.vectors @ np.concatenate(vectors).T).max(axis=1)
    return float(np.clip(1.0 - min(float(best[list(idx)].mean()) for idx in chosen), 0.0, 1.0))


def question_uncovered(ctx: Context, state: QueryState, exclude: Collection[int] = (), k: int = K) -> float:
    """``uncovered`` of ``state``'s unused words against its ``k`` closest units (0 when it has none, or
    when no token states can be had: a context without a token source, a model that gives none)."""
    states: Callable[[list[str]], list[Tokens]] | None = getattr(ctx, "token_states", None)
    units = closest_units(state, k, exclude)
    if not units or states is None:
        return 0.0
    try:
        (question,) = states([state.question])
        in_corpus = corpus_has(ctx.backend.idf)

        def used(word: str) -> bool:
            terms = ctx.texts.terms(word)
            return bool(terms) and any(in_corpus(t) for t in terms)

        unused = unused_words(state.question, question.pieces, used)
        if not unused:
            return 0.0
        retrieved = [ctx.backend.unit_display(u) for u in dict.fromkeys(u for u, _ in state.meta) if u not in exclude]
        chosen = [idx for w, idx in unused if not misspells(w, retrieved) and not clips(w, retrieved)]
        if not chosen:
            return 0.0
        found = states([ctx.backend.unit_display(u) for u in units])
    except NotImplementedError:
        return 0.0
    return uncovered(question, found, chosen)
