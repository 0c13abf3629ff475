"""Token states of the units, stored in the generation: what the answer ranker's token features read.

The refine stage (``index.query.refine``) compares the contextual word-piece vectors of a question with
those of its top candidates. Computing them for the candidates means one model run per candidate at
ask time (~70 % of a warm ask on a docs folder); a unit's token states depend on its display text
alone, so the build computes them once, the same way (one unpadded run per text), and stores them:

    tokens/offsets.npy   int64 (units + 1,): unit i's tokens are rows offsets[i] .. offsets[i + 1]
    tokens/pieces.npy    int32 (tokens,): each token's word piece, an index into vocab.json
    tokens/vocab.json    the word pieces that occur, as a JSON list of strings
    tokens/vectors.npy   float16 (tokens, dim): each token's L2-normalized contextual vector

fp16 keeps every component within 1e-4 of the float32 states (cosines likewise), so the features do
not move beyond float noise. Only corpora up to ``Settings.token_states_max_tokens`` word pieces get
them (768 bytes a token for a 384-dimensional model); without them, ask computes the states on the fly
(``index.query.tokens``). Loaded with ``allow_pickle=False``, checked on open (``check``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import CorruptIndex
from index.models.embeddings import Tokens
from index.storage import validate

TOKENS_DIR = "tokens"
OFFSETS, PIECES, VOCAB, VECTORS = "offsets.npy", "pieces.npy", "vocab.json", "vectors.npy"
VECTOR_DTYPE = np.float16
SAMPLE_ROWS = 256  # rows checked on a quick open (``StoredTokens.get`` checks every row it reads)


@dataclass
class StoredTokens:
    offsets: np.ndarray  # int64 (units + 1,)
    pieces: np.ndarray  # int32 (tokens,), into vocab
    vocab: list[str]
    vectors: np.ndarray  # float16 (tokens, dim)
    directory: Path | None = None  # the generation they were read from (for CorruptIndex)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> int:
        return int(self.offsets[-1]) if len(self.offsets) else 0

    def get(self, i: int) -> Tokens:
        """Unit ``i``'s token states (float32, as ``Embedder.token_states`` returns them). The rows are
        checked as they are read (the open checks a sample of a large file): CorruptIndex if not finite."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        vocab = self.vocab
        vectors = np.asarray(self.vectors[lo:hi], dtype=np.float32)
        if not np.isfinite(vectors).all():
            raise CorruptIndex(self.directory or Path("."), f"{TOKENS_DIR}/{VECTORS} holds NaN or infinite values")
        return Tokens([vocab[p] for p in self.pieces[lo:hi].tolist()], vectors)

    @classmethod
    def from_states(cls, states: list[Tokens], dim: int) -> StoredTokens:
        """One ``Tokens`` per unit, in unit order."""
        offsets = np.zeros(len(states) + 1, dtype=np.int64)
        np.cumsum([len(s.pieces) for s in states], out=offsets[1:])
        ids: dict[str, int] = {}
        pieces = np.fromiter((ids.setdefault(p, len(ids)) for s in states for p in s.pieces), dtype=np.int32,
                             count=int(offsets[-1]))
        vectors = np.zeros((int(offsets[-1]), dim), dtype=VECTOR_DTYPE)
        for s, lo, hi in zip(states, offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
            if hi > lo:
                vectors[lo:hi] = s.vectors
        return cls(offsets, pieces, list(ids), vectors)

    def save(self, directory: Path) -> None:
        out = directory / TOKENS_DIR
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / OFFSETS, np.ascontiguousarray(self.offsets, dtype=np.int64), allow_pickle=False)
        np.save(out / PIECES, np.ascontiguousarray(self.pieces, dtype=np.int32), allow_pickle=False)
        np.save(out / VECTORS, np.ascontiguousarray(self.vectors, dtype=VECTOR_DTYPE), allow_pickle=False)
        (out / VOCAB).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")


def present(files: dict[str, object]) -> bool:
    """Whether a generation's manifest lists stored token states."""
    return any(name.startswith(TOKENS_DIR + "/") for name in files)


def load(directory: Path, mmap: bool = True) -> StoredTokens:
    """The stored token states of a generation directory (not yet checked: ``check``)."""
    d = directory / TOKENS_DIR
    mode = "r" if mmap else None
    vocab = json.loads((d / VOCAB).read_text(encoding="utf-8"))
    if not isinstance(vocab, list) or not set(map(type, vocab)) <= {str}:
        raise TypeError(f"{TOKENS_DIR}/{VOCAB} is not a list of strings")
    return StoredTokens(np.load(d / OFFSETS, allow_pickle=False), np.load(d / PIECES, allow_pickle=False), vocab,
                        np.load(d / VECTORS, mmap_mode=mode, allow_pickle=False), directory)


def check(directory: Path, tokens: StoredTokens, n_units: int, dim: int, expected_tokens: int | None,
          full: bool = False) -> None:
    """Shapes, dtypes, offsets that partition the token rows in unit order, pieces inside the vocabulary,
    finite vectors of unit length (a spread sample of rows; all when ``full``, as ``citebot index info`` and
    a rebuild check; ``StoredTokens.get`` checks the rows it reads): a ``CorruptIndex`` naming what is wrong.
    Reading every row of the httpx docs' 23 MB on each open would cost ~30 ms of a cold ask, a sample of
    4,096 rows ~20 ms; 256 rows cost ~1 ms."""
    t = len(tokens.pieces)
    validate.check_shape(directory, f"{TOKENS_DIR}/{OFFSETS}", tokens.offsets, (n_units + 1,), np.int64)
    validate.check_shape(directory, f"{TOKENS_DIR}/{PIECES}", tokens.pieces, (None,), np.int32)
    validate.check_shape(directory, f"{TOKENS_DIR}/{VECTORS}", tokens.vectors, (t, dim), VECTOR_DTYPE)
    off = tokens.offsets
    if off[0] != 0 or off[-1] != t or (np.diff(off) < 0).any():
        raise CorruptIndex(directory, f"{TOKENS_DIR}/{OFFSETS} does not partition the {t} token rows")
    if expected_tokens is not None and t != expected_tokens:
        raise CorruptIndex(directory, f"{TOKENS_DIR} holds {t} tokens, the manifest says {expected_tokens}")
    if t and (int(tokens.pieces.min()) < 0 or int(tokens.pieces.max()) >= len(tokens.vocab)):
        raise CorruptIndex(directory, f"{TOKENS_DIR}/{PIECES} refers to word pieces that do not exist")
    _check_vectors(directory, tokens.vectors, full)


def _check_vectors(directory: Path, vectors: np.ndarray, full: bool) -> None:
    """Finite rows of unit length (fp16: within 1e-2): all rows when ``full``, else a spread sample."""
    if not len(vectors):
        return
    if full or len(vectors) <= SAMPLE_ROWS:
        sample = np.asarray(vectors, dtype=np.float32)
    else:
        rows = np.unique(np.linspace(0, len(vectors) - 1, SAMPLE_ROWS).astype(np.int64))
        sample = np.asarray(vectors[rows], dtype=np.float32)
    if not np.isfinite(sample).all():
        raise CorruptIndex(directory, f"{TOKENS_DIR}/{VECTORS} holds NaN or infinite values")
    norms = np.linalg.norm(sample, axis=1)
    if (np.abs(norms - 1.0) > 1e-2).any():
        raise CorruptIndex(directory, f"{TOKENS_DIR}/{VECTORS} holds vectors that are not of unit length")
