"""BM25 as stored weights: citebot's own analyzer and a generation's frozen statistics.

Every row of a level (units, chunks, documents) gets a sparse vector over the generation's
vocabulary whose entries are the final BM25 term weights (bm25s's Lucene variant):

    w(t, d) = idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
    idf(t)  = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

with N, df and avgdl of that level, frozen when the generation is built. A query is the sparse
vector of its terms' counts, so BM25(q, d) is the inner product of the two (pgvector's ``<#>``),
duplicates in the query counted as bm25s counts them. Terms come from
``index.models.lexical.Analyzer`` (each distinct word is analyzed once and remembered), and
document lengths follow bm25s, which gives a text without any term one placeholder token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from index.models.lexical import Analyzer

K1 = 1.2  # as index.models.lexical.BM25Index.build
B = 0.75
_STOP = -1


@dataclass
class TermRows:
    """Analyzed texts in CSR form: row r has terms ``ids[indptr[r]:indptr[r+1]]`` (sorted, distinct)
    with counts ``tf[...]``; ``lengths[r]`` is its BM25 length."""

    indptr: np.ndarray  # int64 (n + 1)
    ids: np.ndarray  # int32
    tf: np.ndarray  # int32
    lengths: np.ndarray  # int32 (n)

    def __len__(self) -> int:
        return len(self.lengths)

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.indptr[r], self.indptr[r + 1]
        return self.ids[a:b], self.tf[a:b]


@dataclass(frozen=True)
class LevelStats:
    """The frozen statistics of one level."""

    n: int
    avgdl: float
    df: np.ndarray  # int32, one per vocabulary term
    k1: float = K1
    b: float = B

    def idf(self) -> np.ndarray:
        df = self.df.astype(np.float64)
        return np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def as_json(self) -> dict[str, float]:
        return {"n": self.n, "avgdl": self.avgdl, "k1": self.k1, "b": self.b}


class Vocabulary:
    """Term ↔ id for one generation, and the analysis of every word seen so far."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self.terms: list[str] = []
        self.ids: dict[str, int] = {}
        self._words: dict[str, int] = {}  # lower-cased word -> term id, or _STOP

    def __len__(self) -> int:
        return len(self.terms)

    def _word(self, word: str) -> int:
        stems = self.analyzer.terms(word)  # [stem] ([] only if the word were a stopword)
        if not stems:
            tid = _STOP
        else:
            stem = stems[0]
            tid = self.ids.get(stem, -2)
            if tid == -2:
                tid = len(self.terms)
                self.ids[stem] = tid
                self.terms.append(stem)
        self._words[word] = tid
        return tid

    def analyze(self, texts: Iterable[str]) -> TermRows:
        """Each text's terms, exactly ``Analyzer.terms(text)``, as CSR rows."""
        words_in = self.analyzer.words  # lower-cased words without stopwords
        words_of = self._words
        word = self._word
        flat: list[int] = []
        ends: list[int] = []
        for text in texts:
            flat.extend([words_of[w] if w in words_of else word(w) for w in words_in(text)])
            ends.append(len(flat))
        n = len(ends)
        ids = np.asarray(flat, dtype=np.int64)
        row = np.repeat(np.arange(n, dtype=np.int64), np.diff(np.asarray([0, *ends], dtype=np.int64)))
        keep = ids >= 0
        ids, row = ids[keep], row[keep]
        lengths = np.bincount(row, minlength=n).astype(np.int32)
        key = (row << 32) | ids
        uniq, tf = np.unique(key, return_counts=True)
        rows_u = uniq >> 32
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows_u, minlength=n), out=indptr[1:])
        bm25_lengths = np.maximum(lengths, 1)  # bm25s: a text without terms is one placeholder token
        return TermRows(indptr, (uniq & 0xFFFFFFFF).astype(np.int32), tf.astype(np.int32), bm25_lengths)

    def query_counts(self, terms: list[str]) -> dict[int, int]:
        """A query's known terms as term id -> count (unknown terms score nothing)."""
        out: dict[int, int] = {}
        for t in terms:
            tid = self.ids.get(t)
            if tid is not None:
                out[tid] = out.get(tid, 0) + 1
        return out


def level_stats(rows: TermRows, vocab_size: int, k1: float = K1, b: float = B) -> LevelStats:
    df = np.bincount(rows.ids, minlength=vocab_size).astype(np.int32)
    avgdl = float(rows.lengths.mean()) if len(rows) else 1.0
    return LevelStats(len(rows), avgdl, df, k1, b)


def weights(rows: TermRows, stats: LevelStats) -> np.ndarray:
    """float32 BM25 weight of every (row, term) entry of ``rows`` (aligned with ``rows.ids``)."""
    idf = stats.idf()
    lengths = np.repeat(rows.lengths.astype(np.float64), np.diff(rows.indptr))
    tf = rows.tf.astype(np.float64)
    norm = stats.k1 * (1.0 - stats.b + stats.b * lengths / stats.avgdl)
    return (idf[rows.ids] * tf / (tf + norm)).astype(np.float32)


def scores(rows: TermRows, w: np.ndarray, query: dict[int, int]) -> np.ndarray:
    """BM25 of every row for a query (term id -> count): the reference the database must match."""
    coef = np.zeros(int(rows.ids.max(initial=-1)) + 2, dtype=np.float64)
    for tid, count in query.items():
        if tid < len(coef):
            coef[tid] = count
    contrib = w.astype(np.float64) * coef[rows.ids]
    row = np.repeat(np.arange(len(rows)), np.diff(rows.indptr))
    return np.bincount(row, weights=contrib, minlength=len(rows))
