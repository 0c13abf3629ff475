"""Checks that an index generation is whole before anything is answered from it.

Two kinds of checks, each a ``CorruptIndex`` with one line naming what is wrong:

* files (``check_files``): every file the manifest recorded at build time exists with its recorded
  size, and its sha256 matches. On every open, files up to ``QUICK_HASH_BYTES`` are hashed (on the
  seed corpus: all of them); larger ones (the vector arrays of a big corpus) are checked by size,
  shape and a sample of rows, and hashed by ``citebot index info`` and before vectors are reused.
* structure (``check_shape``, ``check_spans``, ``check_finite``; a whole generation:
  ``index.storage.structure.check_index``): shapes, dtypes, offsets inside their document's text, ids inside
  their tables, vectors finite (all rows of arrays up to ``FINITE_ALL_BYTES``, a spread sample of
  the rest). These also catch a builder bug, not only damage after the build.

Measured on the seed corpus (``tests/index/storage/test_validate.py`` keeps it in check): the quick
checks cost about 1 ms of a cold ``citebot ask``; see README "Guarantees".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from index.errors import CorruptIndex
from index.storage.generations import MANIFEST

QUICK_HASH_BYTES = 4 << 20  # files up to 4 MiB are hashed on every open
FINITE_ALL_BYTES = 64 << 20  # vector arrays up to 64 MiB are checked row by row on every open
SAMPLE_ROWS = 4096


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_records(directory: Path) -> dict[str, dict[str, object]]:
    """Size and sha256 of every file under ``directory`` but the manifest (recorded at build time)."""
    out: dict[str, dict[str, object]] = {}
    for dirpath, _dirs, files in os.walk(directory):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(directory).as_posix()
            if rel != MANIFEST:
                out[rel] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
    return dict(sorted(out.items()))


def check_files(directory: Path, records: dict[str, dict], required: Iterable[str], full: bool = False) -> None:
    """Every recorded file present, of its recorded size and (small ones, or all when ``full``) checksum."""
    for name in required:
        if not any(r == name or r.startswith(name + "/") for r in records):
            raise CorruptIndex(directory, f"the manifest does not list {name}")
    for name, rec in records.items():
        if name.startswith("/") or ".." in Path(name).parts:
            raise CorruptIndex(directory, f"the manifest lists a file outside the index: {name}")
        path = directory / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise CorruptIndex(directory, f"{name} is missing") from None
        if size != rec["size"]:
            raise CorruptIndex(directory, f"{name} has {size} bytes, {rec['size']} when it was built")
        if (full or size <= QUICK_HASH_BYTES) and sha256_of(path) != rec["sha256"]:
            raise CorruptIndex(directory, f"{name} does not match its checksum")


def check_shape(directory: Path, name: str, array: np.ndarray, shape: tuple[int | None, ...], dtype: object) -> None:
    ok = array.ndim == len(shape) and all(want is None or got == want for got, want in zip(array.shape, shape, strict=False))
    if not ok or array.dtype != np.dtype(dtype):
        want = "×".join("n" if s is None else str(s) for s in shape)
        raise CorruptIndex(directory, f"{name} is {array.dtype} {array.shape}, expected {np.dtype(dtype)} {want}")


def check_finite(directory: Path, name: str, vectors: np.ndarray, full: bool = False) -> None:
    """All rows finite (a spread sample of the rows of a large array unless ``full``)."""
    if not len(vectors):
        return
    if full or vectors.nbytes <= FINITE_ALL_BYTES:
        rows: np.ndarray | slice = slice(None)
    else:
        rows = np.unique(np.linspace(0, len(vectors) - 1, SAMPLE_ROWS).astype(np.int64))
    step = 1 << 16
    sample = vectors[rows]
    for lo in range(0, len(sample), step):
        if not np.isfinite(np.asarray(sample[lo : lo + step])).all():
            raise CorruptIndex(directory, f"{name} holds NaN or infinite values")


def check_spans(
    directory: Path, name: str, doc: np.ndarray, start: np.ndarray, end: np.ndarray, doc_lengths: np.ndarray
) -> None:
    """Every ``(doc, start, end)`` inside its document's text."""
    if not len(doc):
        return
    if doc.min() < 0 or doc.max() >= len(doc_lengths):
        raise CorruptIndex(directory, f"{name} refers to a document that does not exist")
    if (start < 0).any() or (start > end).any() or (end > doc_lengths[doc]).any():
        raise CorruptIndex(directory, f"{name} has offsets outside their document's text")


def in_range(directory: Path, name: str, ids: np.ndarray, size: int, allow_none: bool = False) -> None:
    low = -1 if allow_none else 0
    if len(ids) and (int(ids.min()) < low or int(ids.max()) >= size):
        raise CorruptIndex(directory, f"{name} refers to entries that do not exist")
