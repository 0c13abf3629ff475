"""Deterministic synthetic embeddings that look like sentence embeddings to an ANN index.

Real sentence embeddings are neither uniform on the sphere (hopeless for any ANN index) nor a
few tight blobs (trivial): they have topics of very different sizes, a low-dimensional spread
inside each topic, and shared directions across topics. ``clustered_vectors`` mimics that:

    x = normalize(center[topic] + 0.8 · z_topic @ B_topic + 0.4 · z_shared @ B_shared + 0.35 · noise)

(each term's expected norm as written) with Zipf-sized topics, a per-topic 24-d subspace, a
global 48-d subspace and isotropic noise: held-out queries find their nearest neighbour at
cosine ~0.7 while random pairs are ~0, like MiniLM sentence embeddings.
Same seed, same vectors; generated in blocks so 1M x 384 needs no more than the output array.
"""

from __future__ import annotations

import numpy as np


class ClusteredSpace:
    def __init__(self, dim: int = 384, topics: int = 2000, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.topics = topics
        self.seed = seed
        self.centers = rng.standard_normal((topics, dim)).astype(np.float32)
        self.centers /= np.linalg.norm(self.centers, axis=1, keepdims=True)
        self.local_rank = 24
        self.local = (rng.standard_normal((topics, self.local_rank, dim)) / np.sqrt(dim)).astype(np.float32)
        self.shared = (rng.standard_normal((48, dim)) / np.sqrt(dim)).astype(np.float32)
        sizes = 1.0 / np.arange(1, topics + 1) ** 0.8  # Zipf-like topic sizes
        self.weights = sizes / sizes.sum()

    def sample(self, n: int, seed: int, block: int = 50_000) -> np.ndarray:
        rng = np.random.default_rng((self.seed, seed))
        out = np.empty((n, self.dim), dtype=np.float32)
        for lo in range(0, n, block):
            m = min(block, n - lo)
            topic = rng.choice(self.topics, size=m, p=self.weights)
            z_local = rng.standard_normal((m, self.local_rank)).astype(np.float32) / np.sqrt(self.local_rank)
            x = self.centers[topic].copy()
            order = np.argsort(topic, kind="stable")
            bounds = np.searchsorted(topic[order], np.arange(self.topics + 1))
            for t in np.flatnonzero(np.diff(bounds)):
                rows = order[bounds[t] : bounds[t + 1]]
                x[rows] += 0.8 * (z_local[rows] @ self.local[t])
            z_shared = rng.standard_normal((m, self.shared.shape[0])).astype(np.float32) / np.sqrt(
                self.shared.shape[0]
            )
            x += 0.4 * (z_shared @ self.shared)
            x += 0.35 * rng.standard_normal((m, self.dim)).astype(np.float32) / np.sqrt(self.dim)
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            out[lo : lo + m] = x
        return out


def topics_for(n: int) -> int:
    """About 100 vectors per topic on average (Zipf-sized), 200 to 10,000 topics: at 1M vectors
    the topics far outnumber the IVF cells, so cells do not simply line up with topics."""
    return int(min(10_000, max(200, n // 100)))


def clustered_vectors(
    n: int, dim: int = 384, seed: int = 7, queries: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` corpus vectors and ``queries`` held-out query vectors from the same distribution."""
    space = ClusteredSpace(dim=dim, topics=topics_for(n), seed=seed)
    return space.sample(n, seed=1), space.sample(queries, seed=2)
