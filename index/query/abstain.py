"""Whether the documents answer a question: the abstain decision of the spans stage.

The decision looks at question-level evidence (``Evidence``), the same for every candidate:

* ``cos``: the best cosine between the question and a unit of the top passages;
* ``lex``: the best share of the question's IDF mass that one unit holds;
* ``foreign``: the share of its content words that the corpus never uses and that are rare in
  English or written as names ("aiohttp", "CSRF_TRUSTED_ORIGINS", "Django" asked of the httpx docs;
  ``index.query.foreign``). It replaces the earlier penalty for unknown names;
* ``unvalued``: 1 when the question asks for a year, a version or a count and its best quotes hold
  none, or asks how many of a thing the corpus never names (``index.query.asked``);
* ``unseen_code``: the share of its code names (``foo_bar``, ``Foo.bar()``, ``--flag``, ``HTTP/3``) the
  corpus never writes;
* ``framed``: 1 when a foreign word frames it ("in flask, ...", "with aiohttp ...");
* ``uncovered``: 1 − how well its least covered *unused* word (one the corpus never uses and rare in
  English: "mermaid", "csrf") is matched by the token states of its closest units
  (``index.query.coverage``): a near-topic question usually asks for one thing the docs never cover;
* ``whether``: 1 when it asks whether something is so ("can griffe parse epytext docstrings?",
  ``index.query.asked.asks_whether``). Such a question is about the thing it names, so an uncovered
  word costs it more, from a lower coverage gap on (``ASK_FROM``, ``ASK``).

``score = cos + ½ lex − ½ foreign − ½ unvalued − 0.35 unseen_code − 0.3 framed − 0.8 max(0, uncovered − 0.5)
− 2 whether · max(0, uncovered − 0.3)``,
and citebot abstains when it is under the index's
threshold. That threshold is calibrated when the index is built, on that corpus
(``index.ingest.calibrate``: a bank of off-topic and near-topic questions shipped with the package,
and pseudo-questions made from the corpus's own units), and stored in the manifest
(``Manifest.abstention``). ``CITEBOT_ABSTAIN_THRESHOLD`` overrides it; an index built before
calibration existed uses ``QuoteParams.abstain_below`` (0.30, calibrated on the seed article).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from index.query.asked import asks_whether, unvalued
from index.query.coverage import question_uncovered
from index.query.cues import corpus_has
from index.query.foreign import foreign_words, framed_elsewhere, unseen_code_share

if TYPE_CHECKING:
    from index.query.state import Context, QueryState

SCORE = "evidence-v9"  # the score a stored threshold was calibrated for (a changed score ignores old ones)
LEX = 0.5
FOREIGN = 0.5
UNVALUED = 0.5  # the question asks for a year / version / count that its best quotes do not hold
UNSEEN_CODE = 0.35  # share of its code names that the corpus never writes
FRAMED = 0.3  # it is framed in a tool the corpus never mentions ("in flask, ...")
VALUE_QUOTES = 2  # the best candidates whose text must hold the asked value
# the least covered unused word's penalty: none while its coverage is at least 1 − UNCOVERED_FROM (an
# unused word of an answerable question is a paraphrase or a name the neighbours spell out: cosine
# 0.5–0.9), then UNCOVERED per unit of uncovered ("mermaid" of the markdown docs: 0.85 → −0.28).
# Leave-one-corpus-out over the four first tuning sets chose K 8, 0.5, 1.2 in every fold (BENCHMARKS.md,
# "Weakest-link coverage"); over the six, with the penalty of a question asking whether, 0.8 (BENCHMARKS.md,
# "Asking whether")
UNCOVERED = 0.8
UNCOVERED_FROM = 0.5
# a question asking whether ("is there a gitlab ci example", "can griffe dump write yaml"): its least covered
# unused word costs ASK per unit of uncovered above ASK_FROM on top (gitlab 0.47 → −0.33).
# Chosen by leave-one-corpus-out over the tuning sets: BENCHMARKS.md, "Asking whether"
ASK = 2.0
ASK_FROM = 0.3


@dataclass(frozen=True)
class Evidence:
    cos: float = 0.0
    lex: float = 0.0
    foreign: float = 0.0
    unvalued: float = 0.0
    unseen_code: float = 0.0
    framed: float = 0.0
    uncovered: float = 0.0
    whether: float = 0.0

    @property
    def score(self) -> float:
        return (self.cos + LEX * self.lex - FOREIGN * self.foreign - UNVALUED * self.unvalued
                - UNSEEN_CODE * self.unseen_code - FRAMED * self.framed
                - UNCOVERED * max(0.0, self.uncovered - UNCOVERED_FROM)
                - ASK * self.whether * max(0.0, self.uncovered - ASK_FROM))


def evidence(ctx: Context, state: QueryState, exclude: Collection[int] = ()) -> Evidence:
    """The question-level evidence of ``state`` (after the candidate units), leaving out the units
    in ``exclude`` (the calibration's pseudo-questions leave out the unit they were made from)."""
    rows = state.rows
    if rows is None or not len(rows):
        return Evidence()
    cos, lex = rows.column("cos"), rows.column("lex")
    if exclude:
        keep = np.array([u not in exclude for u, _ in state.meta], dtype=bool)
        if not keep.any():
            return Evidence()
        cos, lex = cos[keep], lex[keep]
    in_corpus = corpus_has(ctx.backend.idf)

    def named(word: str) -> bool:  # the corpus uses the word (a stopword: as good as named)
        terms = ctx.texts.terms(word)
        return not terms or any(in_corpus(t) for t in terms)

    def close(word: str, quotes: list[str]) -> bool:  # a quote word means nearly the same (embedded alone)
        return close_word(ctx.encoder.encode_many, word, quotes)

    question = state.question
    foreign, n = foreign_words(question, in_corpus, ctx.texts.terms)
    units = [c.unit for c in state.candidates if c.unit not in exclude]
    display = ctx.backend.unit_display
    names = corpus_names(ctx.backend.manifest)
    retrieved: list[str] = []

    def written(name: str) -> bool:
        if names is not None:
            return name.lower() in names
        if not retrieved:  # an index built before the names were stored: the retrieved text
            retrieved.extend(display(u).lower() for u in units)
        return any(name.lower() in t for t in retrieved)

    return Evidence(
        cos=float(cos.max()),
        lex=float(lex.max()),
        foreign=len(foreign) / n if n else 0.0,
        unvalued=unvalued(question, [display(u) for u in units[:VALUE_QUOTES]], named, close),
        unseen_code=unseen_code_share(question, in_corpus, ctx.texts.terms, written),
        framed=framed_elsewhere(question, foreign),
        uncovered=question_uncovered(ctx, state, exclude),
        whether=float(asks_whether(question)),
    )


_QUOTE_WORD = re.compile(r"[A-Za-z]{3,}")
CLOSE = 0.4  # cosine of two words embedded alone: "people" ~ "residents" 0.50, "stars" ~ "response" 0.31
CLOSE_WORDS = 40  # the quote words compared, at most


def close_word(encode_many: Callable[[list[str]], np.ndarray], word: str, quotes: list[str]) -> bool:
    """Whether a word of ``quotes`` is close in meaning to ``word`` (the same word, or their embeddings'
    cosine at least ``CLOSE``): what a count's number must stand near ("ten residents" counts people)."""
    words = list(dict.fromkeys(w.lower() for q in quotes for w in _QUOTE_WORD.findall(q)))[:CLOSE_WORDS]
    if word.lower() in words:
        return True
    if not words:
        return False
    vecs = np.asarray(encode_many([word, *words]), dtype=np.float32)
    vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    return bool((vecs[1:] @ vecs[0]).max() >= CLOSE)


_names: dict[int, tuple[object, frozenset[str]]] = {}


def corpus_names(manifest: Any) -> frozenset[str] | None:
    """The split code names the corpus writes (``Manifest.abstention["code_names"]``), if stored."""
    cal = getattr(manifest, "abstention", None) or {}
    listed = cal.get("code_names")
    # names stored for another score may lack a kind of name this one looks up (HTTP/2 before evidence-v6)
    if not isinstance(listed, list) or cal.get("score") != SCORE:
        return None
    cached = _names.get(id(listed))
    if cached is None or cached[0] is not listed:
        cached = (listed, frozenset(listed))
        _names.clear()
        _names[id(listed)] = cached
    return cached[1]


def stored(manifest: Any) -> float | None:
    """The threshold calibrated for this index, if it was calibrated for the current score."""
    cal = getattr(manifest, "abstention", None) or {}
    value = cal.get("threshold")
    if cal.get("score") != SCORE or not isinstance(value, int | float):
        return None
    return float(value)


def threshold(ctx: Context) -> float:
    """The setting if given, else the index's calibrated threshold, else ``QuoteParams.abstain_below``."""
    if ctx.abstain_below is not None:
        return ctx.abstain_below
    value = stored(ctx.backend.manifest)
    return ctx.quotes.abstain_below if value is None else value


def abstains(ctx: Context, state: QueryState) -> bool:
    """Whether the documents do not answer ``state``'s question."""
    if not state.candidates:
        return True
    return evidence(ctx, state).score < threshold(ctx)
