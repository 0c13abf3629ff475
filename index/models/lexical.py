"""BM25 over chunks (bm25s, Lucene variant, English stopwords + Snowball stemmer)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

BM25_DIR = "bm25"  # over chunks
BM25_DOCS_DIR = "bm25_docs"  # over whole documents


def _stemmer():  # noqa: ANN202 - PyStemmer has no stubs
    import Stemmer

    return Stemmer.Stemmer("english")


class Analyzer:
    """Text → stemmed terms, exactly as bm25s's tokenizer does it (lower case, words of two or more
    characters, English stopwords, Snowball stemmer), for queries and quote scoring."""

    _WORD = re.compile(r"(?u)\b\w\w+\b")

    def __init__(self) -> None:
        from bm25s.stopwords import STOPWORDS_EN

        self._stop = frozenset(STOPWORDS_EN)
        self._stemmer = _stemmer()

    def words(self, text: str) -> list[str]:
        return [w for w in self._WORD.findall(text.lower()) if w not in self._stop]

    def terms(self, text: str) -> list[str]:
        return self._stemmer.stemWords(self.words(text))


def _tokenize_corpus(texts: list[str]) -> tuple[list[list[int]], dict[str, int]]:
    from bm25s.tokenization import Tokenizer

    tok = Tokenizer(stopwords="en", stemmer=_stemmer())
    ids = tok.tokenize(texts, update_vocab=True, return_as="ids", show_progress=False)
    return ids, tok.get_vocab_dict()


class BM25Index:
    def __init__(self, retriever, doc_freq: np.ndarray, n_docs: int) -> None:  # noqa: ANN001
        self._retriever = retriever
        self.doc_freq = doc_freq
        self.n_docs = n_docs
        self.vocab: dict[str, int] = retriever.vocab_dict

    @classmethod
    def build(cls, texts: list[str], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        import bm25s

        ids, vocab = _tokenize_corpus(texts)
        retriever = bm25s.BM25(method="lucene", k1=k1, b=b)
        retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        df = np.zeros(len(vocab), dtype=np.int32)
        for row in ids:
            df[np.unique(np.asarray(row, dtype=np.int64))] += 1 if row else 0
        return cls(retriever, df, len(texts))

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk for a query given as stemmed terms."""
        known = [t for t in terms if t in self.vocab]
        if not known:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def consistent(self) -> bool:
        """Whether vocabulary, term statistics and the score matrix fit together (a damaged or
        mismatched vocabulary would silently score the wrong terms)."""
        m = self._retriever.scores
        n_terms = len(m["indptr"]) - 1
        ids = list(self.vocab.values())
        if len(self.doc_freq) != n_terms or int(m["num_docs"]) != self.n_docs or len(set(ids)) != len(ids):
            return False
        if ids and not all(isinstance(i, int) and 0 <= i < n_terms for i in ids):
            return False
        indices = m["indices"]
        return not len(indices) or (int(indices.min()) >= 0 and int(indices.max()) < self.n_docs)

    def idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        df = int(self.doc_freq[tid]) if tid is not None and tid < len(self.doc_freq) else 0
        return float(np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)))

    def save(self, directory: Path, name: str = BM25_DIR) -> None:
        d = directory / name
        d.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(d), show_progress=False, allow_pickle=False)
        np.save(d / "doc_freq.npy", self.doc_freq, allow_pickle=False)
        (d / "stats.json").write_text(json.dumps({"n_docs": self.n_docs}))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True, name: str = BM25_DIR) -> BM25Index:
        import bm25s

        d = directory / name
        retriever = bm25s.BM25.load(str(d), mmap=mmap, allow_pickle=False, show_progress=False)
        df = np.load(d / "doc_freq.npy", allow_pickle=False)
        n_docs = json.loads((d / "stats.json").read_text())["n_docs"]
        return cls(retriever, df, n_docs)


def search_text(context: str, body: str) -> str:
    """What BM25 sees for a chunk: its context line, then its display text."""
    if context and not body.startswith(context):
        return f"{context}\n{body}"
    return body


def join_displays(blocks: list[int], displays: list[str]) -> str:
    """The display text of a run of units: a space between units of one block, a newline between blocks."""
    out = [displays[0]] if displays else []
    for i in range(1, len(displays)):
        out.append(" " if blocks[i] == blocks[i - 1] else "\n")
        out.append(displays[i])
    return "".join(out)
