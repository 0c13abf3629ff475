"""The index directory and its generations: what a build may replace, and what a reader opens.

    <index>/
      current.json              {"citebot_index": 1, "generation": "g000007"}: the live pointer,
                                and the mark that says this directory is a citebot index
      g000007/                  the live generation: manifest.json and every file of one build
      g000006/                  the previous one, kept so that a reader that resolved it just before
                                the flip can finish opening it
      g000008.building-4242/    a build in progress (or a killed one: the next build removes it)
      .lock                     the build lock

A build writes a whole generation into a staging directory inside the index, validates it, renames
it to its final name and flips the pointer (``current.json`` written to a temporary file and renamed
over the old one: one atomic step). A generation is never modified once published. A reader resolves
the pointer once and opens every file through that one generation directory, so it never pairs two
builds; if a generation disappears while it is being opened (two builds finished meanwhile), the
reader starts again from the new pointer. This is the same story as a database backend's
generations table and live pointer: build N+1 beside N, validate, flip, drop N-1 later.

What a build deletes, and nothing else: staging directories ``gNNNNNN.building-PID``, generation
directories ``gNNNNNN`` whose manifest says they are a citebot generation (all but the live one and
the one it replaced), its own temporary pointer files, and — when converting an index of the flat
layout of format 2 — the files that layout is made of (``LEGACY_NAMES``). A directory holding
anything else is refused before anything is written (``check_replaceable``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from index.errors import CorruptIndex, IndexNotFound, NotAnIndex
from index.storage.atomic import LOCK, fsync_dir, write_atomic

POINTER = "current.json"
MANIFEST = "manifest.json"
MARK = "citebot-index"  # the ``kind`` field of every generation's manifest
_GEN = re.compile(r"g(\d{6})")
_STAGING = re.compile(r"g(\d{6})\.building-(\d+)")
_TMP = re.compile(rf"\.{re.escape(POINTER)}\.tmp-\d+")
# the flat layout of format versions <= 2 (everything directly in the index directory)
LEGACY_NAMES = frozenset({
    MANIFEST, "documents.jsonl", "chunks.jsonl", "sentences.npy", "sentence_vectors.npy", "chunk_vectors.npy",
    "document_vectors.npy", "vectors.faiss", "vectors.json", "bm25", "bm25_docs",
})


@dataclass(frozen=True)
class Generation:
    """One published build: ``root / name`` (``name`` is empty for a flat, pre-generation index)."""

    root: Path
    name: str

    @property
    def path(self) -> Path:
        return self.root / self.name if self.name else self.root


def index_root(index_dir: Path) -> Path:
    """The directory an ``--index`` names, symlinks resolved (a link and its target are one index)."""
    return Path(index_dir).expanduser().resolve()


def read_pointer(root: Path) -> str | None:
    """The live generation's name; None when there is no pointer; CorruptIndex when it is unreadable."""
    path = root / POINTER
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptIndex(root, f"unreadable {POINTER}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
        name = data["generation"]
        ok = data.get("citebot_index") == 1 and isinstance(name, str) and _GEN.fullmatch(name) is not None
    except (ValueError, TypeError, KeyError, AttributeError):
        ok = False
    if not ok:
        raise CorruptIndex(root, f"{POINTER} is not a citebot index pointer")
    return name


def current(index_dir: Path) -> Generation:
    """The generation a reader opens now (IndexNotFound when there is none)."""
    root = index_root(index_dir)
    name = read_pointer(root)
    if name is None:
        if (root / MANIFEST).is_file():  # the flat layout of format <= 2: its manifest says which
            return Generation(root, "")
        raise IndexNotFound(root)
    if not (root / name / MANIFEST).is_file():
        raise CorruptIndex(root, f"its live generation {name} is missing")
    return Generation(root, name)


def _is_generation(path: Path) -> bool:
    """A directory named like a generation whose manifest says it is one of ours."""
    try:
        data = json.loads((path / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == MARK


def _is_legacy_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "format_version" in data and "model" in data and "counts" in data


def _ours(root: Path, names: list[str]) -> set[str]:
    """The entries of ``root`` a build may own: pointer, lock, staging, generations, temp pointers and
    (when the flat layout's manifest marks the directory as an index) that layout's files."""
    ours = {n for n in names if n == LOCK or _STAGING.fullmatch(n) or _TMP.fullmatch(n)}
    ours |= {n for n in names if _GEN.fullmatch(n) and _is_generation(root / n)}
    if POINTER in names:  # ours when it is a valid pointer, or (damaged) beside generations of ours
        try:
            valid = read_pointer(root) is not None
        except CorruptIndex:
            valid = False
        if valid or any(_GEN.fullmatch(n) for n in ours):
            ours.add(POINTER)
    if MANIFEST in names and _is_legacy_manifest(root / MANIFEST):
        ours |= LEGACY_NAMES & set(names)
    return ours


def check_replaceable(root: Path) -> None:
    """NotAnIndex unless ``root`` is missing, empty, or holds only what a citebot build owns."""
    if not root.exists() and not root.is_symlink():
        return
    if not root.is_dir():
        raise NotAnIndex(root, "it is a file, not a directory")
    try:
        names = sorted(os.listdir(root))
    except OSError as exc:
        raise NotAnIndex(root, f"it cannot be read ({exc.strerror or exc})") from None
    foreign = [n for n in names if n not in _ours(root, names)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise NotAnIndex(root, f"it is not a citebot index (it holds {shown})")


def _numbers(root: Path) -> list[int]:
    out = []
    for n in os.listdir(root):
        m = _GEN.fullmatch(n) or _STAGING.fullmatch(n)
        if m:
            out.append(int(m.group(1)))
    return out


def new_staging(root: Path) -> Path:
    """A fresh staging directory for the next generation (call under the build lock)."""
    number = max(_numbers(root), default=0) + 1
    path = root / f"g{number:06d}.building-{os.getpid()}"
    path.mkdir()
    return path


def publish(staging: Path) -> tuple[Generation, str | None]:
    """Rename a complete staging directory to its generation name and flip the pointer to it.
    Returns the new generation and the name of the one it replaced."""
    m = _STAGING.fullmatch(staging.name)
    if m is None:
        raise ValueError(f"not a staging directory: {staging}")
    root, name = staging.parent, f"g{m.group(1)}"
    try:
        before = read_pointer(root)
    except CorruptIndex:
        before = None
    os.rename(staging, root / name)
    fsync_dir(root)
    write_atomic(root / POINTER, json.dumps({"citebot_index": 1, "generation": name}).encode())
    return Generation(root, name), before


def prune(root: Path, keep: set[str]) -> None:
    """Delete what earlier builds left (call under the build lock, after ``publish``): staging
    directories, generations not in ``keep``, temporary pointers, the flat layout's files."""
    names = os.listdir(root)
    legacy = MANIFEST in names and _is_legacy_manifest(root / MANIFEST)
    for n in names:
        path = root / n
        if _STAGING.fullmatch(n) or (_GEN.fullmatch(n) and n not in keep and _is_generation(path)):
            shutil.rmtree(path, ignore_errors=True)
        elif _TMP.fullmatch(n):
            with contextlib.suppress(OSError):
                path.unlink()
    if legacy:
        for n in sorted(LEGACY_NAMES - {MANIFEST}):  # the manifest (its mark) goes last
            path = root / n
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                with contextlib.suppress(OSError):
                    path.unlink()
        with contextlib.suppress(OSError):
            (root / MANIFEST).unlink()


def clear_staging(root: Path) -> None:
    """Remove staging directories of killed builds (call under the build lock, before building)."""
    for n in os.listdir(root):
        if _STAGING.fullmatch(n):
            shutil.rmtree(root / n, ignore_errors=True)
