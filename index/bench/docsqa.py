"""``citebot bench --only docsqa``: speed on real docs folders (the docs-QA sets, ``--docsqa``).

* warm ``ask`` latency p50/p95 over each set's questions (target p50 <= 30 ms), paired with the
  plain floor: ``SentenceTransformer.encode`` of the question + an exact ``IndexFlatIP`` search of the
  same sentence vectors (retrieval only, no quotes);
* the index build time of the httpx docs (target <= 30 s): ``citebot index build`` in a fresh
  process, as a user runs it, and the build alone in this process, paired with a plain
  ``SentenceTransformer.encode`` of the same chunk texts.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from index.bench.config import BenchConfig, Row, env_for, load_embedder, percentile, settings_for, to_ms, wall
from index.bench.scifact import chunk_texts

BUILD_SET = "httpx"  # the set whose build is timed
REPEATS = 3  # each question is asked this many times (after one warm-up round)
ASK_P50_MS, BUILD_S = 30.0, 30.0


def docsqa_sets(root: Path) -> list[tuple[str, Path, Path]]:
    """``(name, questions.jsonl, corpus/)`` of every set under ``root``, by name."""
    root = Path(root)
    if not root.is_dir():
        return []
    return [
        (d.name, d / "questions.jsonl", d / "corpus")
        for d in sorted(root.iterdir())
        if (d / "questions.jsonl").is_file() and (d / "corpus").is_dir()
    ]


class _Plain:
    """The plain libraries, loaded once: sentence-transformers (torch) and faiss."""

    def __init__(self, cfg: BenchConfig) -> None:
        from sentence_transformers import SentenceTransformer

        from index.models.embeddings import resolve_model

        self.model = SentenceTransformer(resolve_model(cfg.model), device="cpu")
        self.model.encode(["warm up"], show_progress_bar=False)

    def encode_seconds(self, texts: list[str]) -> float:
        t0 = time.perf_counter()
        self.model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return time.perf_counter() - t0

    def search_ms(self, directory: Path, questions: list[str]) -> tuple[list[float], list[float]]:
        """Wall and CPU milliseconds of encode + exact search, per question."""
        import faiss
        import numpy as np

        from index.storage.store import read_index

        vectors = np.ascontiguousarray(read_index(directory).unit_vectors, dtype=np.float32)
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        return _timed_each(questions, lambda q: flat.search(
            self.model.encode([q], normalize_embeddings=True, show_progress_bar=False), 100))


def _timed_each(questions: list[str], fn) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Wall and CPU (all threads of the process) milliseconds of ``fn(q)``, each question REPEATS times."""
    wall, cpu = [], []
    for _ in range(REPEATS):
        for q in questions:
            t0, c0 = time.perf_counter(), time.process_time()
            fn(q)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return to_ms(wall), to_ms(cpu)


def _build_rows(cfg: BenchConfig, corpus: Path, documents: list, embedder, plain: _Plain | None) -> tuple[Path, list[Row]]:  # noqa: ANN001
    from index.ingest.builder import build_index

    # 1. as a user runs it: a fresh process, model load and all, into an empty index directory
    fresh = cfg.work / f"docsqa-{BUILD_SET}-{cfg.backend}-cli"
    shutil.rmtree(fresh, ignore_errors=True)
    cmd = [sys.executable, "-m", "index", "index", "build", "--docs", str(corpus), "--index", str(fresh), "--quiet"]
    before = os.times()
    cli_s, _ = wall(cmd, env_for(cfg, fresh))
    after = os.times()
    cli_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    # 2. the build alone, embedder loaded and warm, against the plain encode of the same chunks
    directory = cfg.work / f"docsqa-{BUILD_SET}-{cfg.backend}"
    shutil.rmtree(directory, ignore_errors=True)
    t0 = time.perf_counter()
    report = build_index(settings_for(cfg, directory), index_dir=directory, documents=documents, embedder=embedder)
    ours = time.perf_counter() - t0
    texts = chunk_texts(directory)
    plain_s = plain.encode_seconds(texts) if plain is not None else None
    what = f"{len(documents)} documents, {report.chunks} chunks, {report.sentences} sentences"
    total, tokens = _index_megabytes(directory)
    return directory, [
        Row("docsqa", f"{BUILD_SET} docs: citebot index build (fresh process)", cli_s, None, "s", None,
            f"<= {BUILD_S:.0f} s", cli_s <= BUILD_S, f"{what}; imports, model load, build, write"),
        Row("docsqa", f"{BUILD_SET} docs: citebot index build CPU time (fresh process)", cli_cpu, None, "s", None,
            "", None, "user + system, all threads; less sensitive than wall time to other jobs on a shared machine"),
        Row("docsqa", f"{BUILD_SET} docs: index build (in process)", ours, plain_s, "s",
            plain_s / ours if plain_s and ours else None, "", None,
            "citebot: chunk, embed, BM25, write (embedder warm); plain: SentenceTransformer.encode of the "
            "same chunk texts (torch fp32), encode only"),
        Row("docsqa", f"{BUILD_SET} docs: index size (live generation)", total, None, "MB", None, "", None,
            f"of which the units' stored token states (tokens/, fp16) {tokens:.1f} MB" if tokens else
            "no stored token states (corpus over CITEBOT_TOKEN_STATES_MAX_TOKENS)"),
    ]


def _index_megabytes(directory: Path) -> tuple[float, float]:
    """The live generation's size on disk, and that of its stored token states, in MB."""
    from index.storage.generations import current
    from index.storage.tokens import TOKENS_DIR

    gen = current(directory).path
    size = {p: p.stat().st_size for p in gen.rglob("*") if p.is_file()}
    tokens = sum(n for p, n in size.items() if p.relative_to(gen).parts[0] == TOKENS_DIR)
    return sum(size.values()) / 1e6, tokens / 1e6


def _latency_rows(cfg: BenchConfig, name: str, directory: Path, questions: list[str], embedder, plain: _Plain | None) -> list[Row]:  # noqa: ANN001
    from index.query.engine import Engine

    engine = Engine.open(settings_for(cfg, directory), directory, embedder=embedder)
    for q in questions:  # warm up: page in the index, the caches, the session
        engine.ask(q)
    ms, cpu = _timed_each(questions, engine.ask)
    p50, p95, cpu50 = percentile(ms, 50), percentile(ms, 95), percentile(cpu, 50)
    plain_ms, plain_cpu = plain.search_ms(directory, questions) if plain is not None else ([], [])
    plain50, plain95, plain_cpu50 = (percentile(x, q) if x else None for x, q in
                                     ((plain_ms, 50), (plain_ms, 95), (plain_cpu, 50)))
    stored = "stored" if engine.context.tokens is not None and engine.context.tokens.stored else "computed"
    where = (f"{len(questions)} questions x {REPEATS}, {len(engine.data.units)} units; warm, hybrid + quotes; "
             f"token states {stored}")

    def ratio(plain_value: float | None, ours: float) -> float | None:
        return plain_value / ours if plain_value and ours else None

    return [
        Row("docsqa", f"{name}: ask p50", p50, plain50, "ms", ratio(plain50, p50),
            f"<= {ASK_P50_MS:.0f} ms", p50 <= ASK_P50_MS, where),
        Row("docsqa", f"{name}: ask p95", p95, plain95, "ms", ratio(plain95, p95), "", None,
            "plain: SentenceTransformer.encode + exact IndexFlatIP over the same sentence vectors (no quotes)"),
        Row("docsqa", f"{name}: ask CPU time p50", cpu50, plain_cpu50, "ms", ratio(plain_cpu50, cpu50), "", None,
            "all threads of the process; less sensitive than wall time to other jobs on a shared machine"),
    ]


def bench_docsqa(cfg: BenchConfig) -> list[Row]:
    from index.errors import CitebotError
    from index.evaluation.cache import ensure_index
    from index.evaluation.qa import load_corpus, load_questions

    sets = docsqa_sets(cfg.docsqa)
    if not sets:
        return [Row("docsqa", "docs-QA sets", None, note=f"none under {cfg.docsqa} (--docsqa)")]
    rows: list[Row] = []
    ready = []
    for name, questions_path, corpus in sets:
        try:
            ready.append((name, corpus, load_corpus(corpus), [q.question for q in load_questions(questions_path)]))
        except CitebotError as exc:
            rows.append(Row("docsqa", f"{name}: ask p50", None, note=f"not measured: {exc}"))
    if not ready:
        return rows
    embedder = load_embedder(cfg)
    embedder.encode(["warm up the session"])
    try:
        plain: _Plain | None = _Plain(cfg)
    except ImportError:  # pragma: no cover - sentence-transformers is a dependency
        plain = None
    for name, corpus, documents, questions in ready:
        cfg.log(f"docsqa {name}: {len(documents)} documents, {len(questions)} questions")
        if name == BUILD_SET:
            directory, build_rows = _build_rows(cfg, corpus, documents, embedder, plain)
            rows.extend(build_rows)
        else:
            directory = ensure_index(f"docsqa-{name}-{cfg.backend}", documents, settings_for(cfg, cfg.work), embedder,
                                     cfg.work)
        rows.extend(_latency_rows(cfg, name, directory, questions, embedder, plain))
    return rows
