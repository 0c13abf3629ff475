"""Docs-QA sets from other projects' docs, fetched from their PyPI sdists: the held-out sets (never
tuned on, ``tests/eval/heldout``) and, with ``--sets tests/eval/tuning --dest .citebot/tuning``, the
extra tuning sets (tuned on like httpx and requests).

Each set is a folder ``tests/eval/heldout/<name>/`` holding ``questions.jsonl`` (the docsqa format),
a README and ``source.json``::

    {"requirement": "flask==3.1.3", "sdist": "flask-3.1.3.tar.gz", "sha256": "…",
     "docs_dir": "flask-3.1.3/docs", "license": "BSD-3-Clause"}

Only the questions live in the repository; the docs are fetched (``pip download`` of the sdist, its
sha256 checked) and unpacked to ``<dest>/<name>/corpus/<basename of docs_dir>``, so cited paths read
``docs/…`` like the ``file`` field; a copy of ``questions.jsonl`` goes beside it, so ``<dest>/<name>`` is
a docsqa folder (``questions.jsonl`` + ``corpus/``) that ``fit --docsqa`` reads. ``check`` proves every
``any`` string is verbatim in its file::

    python -m index.evaluation.heldout fetch            # every set, into .citebot/heldout
    python -m index.evaluation.heldout check
    citebot eval --qa tests/eval/heldout/flask/questions.jsonl --docs .citebot/heldout/flask/corpus
    python -m index.evaluation.heldout fetch --sets tests/eval/tuning --dest .citebot/tuning
    python -m index.evaluation.fit --cv-only --docsqa .citebot/tuning/werkzeug
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SETS_DIR = Path("tests/eval/heldout")
DEST_DIR = Path(".citebot/heldout")


class HeldoutError(Exception):
    """A held-out set that cannot be fetched or checked; the message says which and why."""


@dataclass(frozen=True)
class Source:
    name: str
    requirement: str
    sdist: str
    sha256: str
    docs_dir: str
    license: str

    @classmethod
    def read(cls, set_dir: Path) -> Source:
        path = set_dir / "source.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(name=set_dir.name, **{k: str(raw[k]) for k in
                                            ("requirement", "sdist", "sha256", "docs_dir", "license")})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HeldoutError(f"{path}: not a readable source.json ({exc})") from exc


def find_sets(sets_dir: Path, names: list[str] | None = None) -> list[Path]:
    found = sorted(p.parent for p in sets_dir.glob("*/source.json"))
    if names:
        missing = sorted(set(names) - {p.name for p in found})
        if missing:
            raise HeldoutError(f"no held-out set named {', '.join(missing)} in {sets_dir}")
        found = [p for p in found if p.name in names]
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(source: Source, cache: Path) -> Path:
    """The sdist in ``cache`` (pip download when absent), its sha256 checked."""
    target = cache / source.sdist
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--dest", str(cache), source.requirement]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0 or not target.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise HeldoutError(f"{source.name}: pip download {source.requirement} gave no {source.sdist}: {tail[0]}")
    actual = sha256_of(target)
    if actual != source.sha256:
        raise HeldoutError(f"{source.name}: {target} has sha256 {actual}, source.json says {source.sha256}")
    return target


def _members(sdist: Path, docs_dir: str) -> list[tuple[str, bytes]]:
    """(path inside docs_dir, bytes) of every regular file under docs_dir in the archive."""
    prefix = PurePosixPath(docs_dir)
    out: list[tuple[str, bytes]] = []

    def keep(name: str) -> str | None:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            return None
        try:
            return str(path.relative_to(prefix))
        except ValueError:
            return None

    if sdist.name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as zf:
            for info in zf.infolist():
                rel = keep(info.filename)
                if rel and not info.is_dir():
                    out.append((rel, zf.read(info)))
    else:
        with tarfile.open(sdist) as tf:
            for member in tf.getmembers():
                rel = keep(member.name)
                if rel and member.isreg():
                    fh = tf.extractfile(member)
                    if fh is not None:
                        out.append((rel, fh.read()))
    return out


def place_questions(set_dir: Path, dest: Path) -> Path:
    """A copy of the set's ``questions.jsonl`` as ``dest/<name>/questions.jsonl``, beside its corpus."""
    target = dest / set_dir.name / "questions.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(set_dir / "questions.jsonl", target)
    return target


def unpack(source: Source, sdist: Path, dest: Path) -> Path:
    """``docs_dir`` of the sdist as ``dest/<name>/corpus/<basename>``, replacing an older copy whole."""
    files = _members(sdist, source.docs_dir)
    if not files:
        raise HeldoutError(f"{source.name}: {sdist.name} has no files under {source.docs_dir}")
    corpus = dest / source.name / "corpus"
    corpus.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=corpus.parent))
    try:
        root = staging / PurePosixPath(source.docs_dir).name
        for rel, data in files:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if corpus.exists():
            shutil.rmtree(corpus)
        staging.rename(corpus)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return corpus


KEYS = frozenset({"q", "any", "file", "kind", "abstain"})


def _row_problems(row: object, corpus: Path) -> list[str]:
    if not isinstance(row, dict) or set(row) != KEYS:
        return [f"keys must be exactly {', '.join(sorted(KEYS))}"]
    strings, file, unanswerable = row["any"], row["file"], row["kind"] == "unanswerable"
    if row["abstain"] is not unanswerable:
        return ["abstain must be true exactly when kind is unanswerable"]
    if unanswerable:
        return [] if strings == [] and file is None else ["an unanswerable question has any [] and file null"]
    if not isinstance(strings, list) or not 1 <= len(strings) <= 3 or not all(
            isinstance(x, str) and x.strip() for x in strings):
        return ["any must hold 1 to 3 non-empty strings"]
    target = corpus / str(file)
    if not target.is_file():
        return [f"file {file} is not in {corpus}"]
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    problems = []
    for wanted in strings:
        if wanted not in text:
            problems.append(f"{wanted!r} is not verbatim in {file}")
        elif not any(wanted in line for line in lines):
            problems.append(f"{wanted!r} spans lines of {file}: a quote must hold it within one line")
    return problems


def check(set_dir: Path, corpus: Path) -> list[str]:
    """One line per problem of the set's ``questions.jsonl`` against its corpus: the docsqa keys,
    ``abstain`` exactly for ``kind: unanswerable`` (with no ``any`` and no ``file``), 1 to 3 ``any``
    strings each verbatim within one line of the file its question names, no question twice."""
    problems: list[str] = []
    path = set_dir / "questions.jsonl"
    seen: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        problems.extend(f"{path}:{n}: {p}" for p in _row_problems(row, corpus))
        question = " ".join(str(row.get("q", "")).lower().split()) if isinstance(row, dict) else ""
        if question in seen:
            problems.append(f"{path}:{n}: the question of line {seen[question]} again")
        seen.setdefault(question, n)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m index.evaluation.heldout", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("fetch", "check"))
    ap.add_argument("names", nargs="*", help="the sets to act on (default: all)")
    ap.add_argument("--sets", type=Path, default=SETS_DIR, help=f"where the sets live (default {SETS_DIR})")
    ap.add_argument("--dest", type=Path, default=DEST_DIR, help=f"where corpora are unpacked (default {DEST_DIR})")
    args = ap.parse_args(argv)
    try:
        failed = 0
        for set_dir in find_sets(args.sets, args.names):
            source = Source.read(set_dir)
            corpus = args.dest / source.name / "corpus"
            if args.action == "fetch":
                sdist = download(source, args.dest / "sdists")
                corpus = unpack(source, sdist, args.dest)
                place_questions(set_dir, args.dest)
                print(f"{source.name}: {source.sdist} (sha256 ok) -> {corpus}")
            problems = check(set_dir, corpus)
            copy = args.dest / source.name / "questions.jsonl"
            if copy.exists() and copy.read_bytes() != (set_dir / "questions.jsonl").read_bytes():
                problems.append(f"{copy} is older than {set_dir / 'questions.jsonl'}: fetch again")
            for problem in problems:
                print(problem)
            failed += bool(problems)
            if not problems:
                print(f"{source.name}: every any string is verbatim; "
                      f"citebot eval --qa {set_dir / 'questions.jsonl'} --docs {corpus}")
        return 1 if failed else 0
    except (HeldoutError, OSError, ValueError) as exc:
        print(f"held-out sets: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
