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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.models.lexical import Analyzer

K1 = 1.2  # as index.models.lexical.BM25Index.build
B = 0.75
_STOP = -1
_SEP = -3  # the separator between two texts of a block


def _separator(texts: Sequence[str]) -> str:
    """A word (letters only, no stopword) that none of ``texts`` contains, in any case (lower-casing
    the joined texts changes no ASCII letter: only a sigma's form depends on its context)."""
    joined = "\n".join(texts).lower()
    n = 0
    while True:
        sep = f"citebotsep{'x' * n}q"
        if sep not in joined:
            return sep
        n += 1


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

    def add_term(self, term: str) -> int:
        """The id of an (already analyzed) term, added if it is new."""
        tid = self.ids.get(term)
        if tid is None:
            tid = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return tid

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

    def analyze(self, texts: Sequence[str], block: int = 20_000, workers: int = 1) -> TermRows:
        """Each text's terms, exactly ``Analyzer.terms(text)``, as CSR rows.

        Texts are analyzed a block at a time: one ``Analyzer.words`` call over the block joined by a
        separator word that occurs in none of them, on lines of its own (so neither a word nor
        lower-casing's context, such as a final sigma, crosses from one text into the next). A block
        comes back as its distinct words (first occurrence first) and each word's index among them,
        so only the distinct words go through Python here. With ``workers`` > 1 the blocks are split
        into words by a pool of processes (each with its own default ``Analyzer``); term ids are
        the same either way (first occurrence in the texts' order)."""
        flat: list[np.ndarray] = []
        words_of = self._words
        word = self._word
        parts = [texts[lo : lo + block] for lo in range(0, len(texts), block)]
        for sep, uniq, idx in _split_blocks(parts, self.analyzer, workers):
            words_of[sep] = _SEP
            table = np.fromiter((words_of[w] if w in words_of else word(w) for w in uniq), dtype=np.int64,
                                count=len(uniq))
            del words_of[sep]
            flat.append(table[idx])
            flat.append(np.array([_SEP], dtype=np.int64))
        ids = np.concatenate(flat) if flat else np.zeros(0, np.int64)
        sep_at = ids == _SEP
        row = np.cumsum(sep_at) - sep_at  # texts before each word
        keep = ids >= 0
        return _rows(row[keep], ids[keep], np.ones(int(keep.sum()), dtype=np.int64), len(texts))

    def compose(self, units: TermRows, pieces: Pieces, workers: int = 1) -> TermRows:
        """Rows made of whole units plus other texts (see ``Pieces``): the units' counts are summed
        instead of analyzing their text again, and the other texts are analyzed."""
        extra = self.analyze(pieces.texts, workers=workers)
        n = len(pieces.first)
        span = pieces.last - pieces.first
        unit = _ranges(pieces.first, span)  # every (target, unit) pair, target-major
        target = np.repeat(np.arange(n, dtype=np.int64), span)
        sizes = units.indptr[unit + 1] - units.indptr[unit]
        entry = _ranges(units.indptr[unit], sizes)
        extra_sizes = np.diff(extra.indptr)
        row = np.concatenate([np.repeat(target, sizes), np.repeat(pieces.text_target, extra_sizes)])
        ids = np.concatenate([units.ids[entry], extra.ids]).astype(np.int64)
        tf = np.concatenate([units.tf[entry], extra.tf]).astype(np.int64)
        return _rows(row, ids, tf, n)

    def query_counts(self, terms: list[str]) -> dict[int, int]:
        """A query's known terms as term id -> count (unknown terms score nothing)."""
        out: dict[int, int] = {}
        for t in terms:
            tid = self.ids.get(t)
            if tid is not None:
                out[tid] = out.get(tid, 0) + 1
        return out


# every ASCII character that is not a regex word character (``\w``), as a space
_ASCII_NON_WORD = str.maketrans({chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")})


def _words(analyzer: Analyzer, text: str) -> list[str]:
    """``analyzer.words(text)``; for the default analyzer and a text that is ASCII once lower-cased,
    without the regex: there a word of the analyzer's pattern (two or more word characters between
    word boundaries) is a run of two or more of ``[a-z0-9_]``, which splitting at every other
    character gives (3x faster; the same words, tested)."""
    if type(analyzer) is not Analyzer:
        return analyzer.words(text)
    low = text.lower()
    if not low.isascii():
        return analyzer.words(text)
    stop = analyzer._stop  # noqa: SLF001 - exactly the default Analyzer (checked above)
    return [w for w in low.translate(_ASCII_NON_WORD).split() if len(w) > 1 and w not in stop]


def _block_words(analyzer: Analyzer, part: Sequence[str]) -> tuple[str, list[str], np.ndarray]:
    """One block of texts as (its separator, its distinct words in first-occurrence order, the
    index of every word among them)."""
    sep = _separator(part)
    words = _words(analyzer, f"\n{sep}\n".join(part))
    uniq = list(dict.fromkeys(words))
    pos = dict(zip(uniq, range(len(uniq)), strict=True))
    return sep, uniq, np.fromiter(map(pos.__getitem__, words), dtype=np.int32, count=len(words))


_WORKER: Analyzer | None = None


def _worker_block(part: Sequence[str]) -> tuple[str, list[str], np.ndarray]:
    global _WORKER  # noqa: PLW0603 - one analyzer per pool process
    if _WORKER is None:
        _WORKER = Analyzer()
    return _block_words(_WORKER, part)


def _split_blocks(parts: list[Sequence[str]], analyzer: Analyzer, workers: int):  # noqa: ANN202 - an iterator
    """``_block_words`` of every block, in order; on a pool of processes when ``workers`` > 1."""
    if workers <= 1 or len(parts) <= 1:
        yield from (_block_words(analyzer, p) for p in parts)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=mp.get_context("fork")) as pool:
        yield from pool.map(_worker_block, parts)


@dataclass
class Pieces:
    """Texts (chunks, documents) as a range of whole units ``[first, last)`` plus other texts (the
    context line, the text between units, or the whole text where units cannot stand for it):
    ``texts[i]`` belongs to target ``text_target[i]``. Built by ``source.IngestSource``."""

    first: np.ndarray  # int64, per target
    last: np.ndarray  # int64, per target
    texts: list[str]
    text_target: np.ndarray  # int64, per text


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """concatenate(arange(s, s + k) for s, k in zip(starts, sizes))."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.asarray(starts, dtype=np.int64) - (np.cumsum(sizes) - sizes), sizes)
    return offsets + np.arange(total, dtype=np.int64)


def _rows(row: np.ndarray, ids: np.ndarray, tf: np.ndarray, n: int) -> TermRows:
    """CSR rows from (row, term id, count) entries in any order, duplicates summed."""
    key = (row.astype(np.int64) << 32) | ids.astype(np.int64)
    # a stable sort (radix/timsort: the entries come mostly in row order) and run starts, instead of
    # np.unique's inverse (2-3x slower on millions of entries)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else np.zeros(0, np.int64)
    uniq = key[starts]
    counts = np.add.reduceat(np.asarray(tf, dtype=np.int64)[order], starts) if len(key) else np.zeros(0, np.int64)
    rows_u = uniq >> 32
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_u, minlength=n), out=indptr[1:])
    raw = np.bincount(row.astype(np.int64), weights=tf, minlength=n).astype(np.int64)
    lengths = np.maximum(raw, 1).astype(np.int32)  # bm25s: a text without terms is one placeholder token
    return TermRows(indptr, (uniq & 0xFFFFFFFF).astype(np.int32), counts.astype(np.int32), lengths)


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
