"""Synthetic corpora for the PostgreSQL benchmarks and tests: sentences with text and vectors.

Sentences are 6 to 24 words drawn from a Zipf-distributed vocabulary of made-up words (so BM25 has
frequent and rare terms), grouped 20 to a document and 4 to a chunk; their vectors come from
``synthetic.ClusteredSpace`` (or are given). The result is an ``IngestSource``, exactly what
``index.storage.postgres.ingest`` copies out of a built local index.
"""

from __future__ import annotations

import itertools

import numpy as np

from index.bench.synthetic import ClusteredSpace, topics_for
from index.storage.postgres.source import Document, IngestSource

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "du", "ar", "el", "on", "ix", "um")
MODEL = {"id": "synthetic/clustered", "checksum": "synthetic", "backend": "none", "dim": 384}


def made_up_words(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct words of two to five syllables, in a random order."""
    pool: list[str] = []
    for k in range(2, 6):
        pool.extend("".join(p) for p in itertools.product(SYLLABLES, repeat=k))
        if len(pool) >= 2 * n:
            break
    rng = np.random.default_rng(seed)
    return [pool[i] for i in rng.permutation(len(pool))[:n].tolist()]


def synthetic_source(
    n_units: int,
    *,
    dim: int = 384,
    seed: int = 0,
    vectors: np.ndarray | None = None,
    units_per_doc: int = 20,
    units_per_chunk: int = 4,
    vocabulary: int = 20_000,
) -> IngestSource:
    """``n_units`` sentences in documents of ``units_per_doc`` and chunks of ``units_per_chunk``."""
    rng = np.random.default_rng(seed)
    if vectors is None:
        vectors = ClusteredSpace(dim=dim, topics=topics_for(n_units), seed=seed + 7).sample(n_units, seed=1)
    vectors = np.asarray(vectors, dtype=np.float32)
    words = np.asarray(made_up_words(vocabulary, seed))
    p = 1.0 / np.arange(1, vocabulary + 1) ** 1.05
    p /= p.sum()
    lengths = rng.integers(6, 25, size=n_units)
    picks = rng.choice(vocabulary, size=int(lengths.sum()), p=p)
    ends = np.cumsum(lengths)
    texts = []
    start = 0
    for e in ends.tolist():
        sentence = " ".join(words[picks[start:e]].tolist())
        texts.append(sentence[0].upper() + sentence[1:] + ".")
        start = e
    docs: list[Document] = []
    units = np.zeros((n_units, 5), dtype=np.int64)
    chunks: list[tuple[int, int, int, int, int]] = []
    for d, lo in enumerate(range(0, n_units, units_per_doc)):
        hi = min(n_units, lo + units_per_doc)
        parts, offset = [], 0
        for i in range(lo, hi):
            units[i] = (d, offset, offset + len(texts[i]), 1 + (i - lo), -1)
            parts.append(texts[i])
            offset += len(texts[i]) + 1
        text = "\n".join(parts)
        docs.append(Document(f"doc-{d:07d}.txt", f"Document {d}", f"h{seed}-{d}", text))
        for c in range(lo, hi, units_per_chunk):
            last = min(hi, c + units_per_chunk)
            chunks.append((d, int(units[c, 1]), int(units[last - 1, 2]), c, last))
    chunk_arr = np.asarray(chunks, dtype=np.int64).reshape(-1, 5)
    unit_chunk = np.repeat(np.arange(len(chunk_arr)), chunk_arr[:, 4] - chunk_arr[:, 3])
    chunk_vecs = _normalized(np.add.reduceat(vectors, chunk_arr[:, 3], axis=0)) if n_units else vectors[:0]
    doc_starts = np.arange(0, n_units, units_per_doc)
    doc_vecs = _normalized(np.add.reduceat(vectors, doc_starts, axis=0)) if n_units else vectors[:0]
    return IngestSource(
        documents=docs,
        units=units,
        unit_chunk=unit_chunk,
        chunks=chunk_arr,
        contexts=[docs[d].title for d in chunk_arr[:, 0].tolist()],
        unit_vectors=vectors,
        chunk_vectors=chunk_vecs,
        document_vectors=doc_vecs,
        model={**MODEL, "dim": int(vectors.shape[1])},
        manifest={"synthetic": {"units": n_units, "seed": seed}},
    )


def _normalized(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)


def clustered_corpus(n: int, seed: int, queries: int) -> tuple[IngestSource, np.ndarray]:
    """``n`` synthetic sentences over a clustered space of ``topics_for(n)`` topics, and ``queries`` query vectors
    drawn from the same space."""
    space = ClusteredSpace(dim=384, topics=topics_for(n), seed=seed)
    x = space.sample(n, seed=1)
    return synthetic_source(n, seed=seed, vectors=x), space.sample(queries, seed=2)
