"""What every part of ``citebot bench`` shares: its configuration, its result rows, and the helpers
that turn timings into figures and settings into an embedder or a child process's environment."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Row:
    part: str
    metric: str
    citebot: float | None
    plain: float | None = None
    unit: str = ""
    ratio: float | None = None  # how many times better citebot is than plain (higher is better)
    target: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class BenchConfig:
    data: Path = Path("../shared/data/scifact")
    seeds: Path = Path("seeds")
    docsqa: Path = Path("../shared/data/docsqa")  # docs-QA sets: <name>/questions.jsonl + <name>/corpus/
    work: Path = Path(".citebot/bench")
    backend: str = "onnx-int8"
    model: str = ""
    model_cache_dir: Path = Path(".citebot/models")
    limit: int | None = None  # SciFact documents for build / latency / rss (None: all 5,183)
    queries: int | None = None  # SciFact test queries for latency (None: all 300)
    scale_n: int = 1_000_000
    scale_queries: int = 1000
    cold_runs: int = 5
    threads: int | None = None
    pg_dsn: str = ""  # remote: an existing PostgreSQL + pgvector; empty = start one from the wheel
    ef_search: tuple[int, ...] = (100, 200, 400)  # remote: the HNSW ef_search values measured
    ivf_probes: tuple[int, ...] = (16, 32, 64)  # remote: the IVFFlat probes values measured
    overfetch: tuple[int, ...] = ()  # remote: halfvec candidates per result measured (empty = search.OVERFETCH)
    pg_ann: str = ""  # remote: the ANN index kind of the large corpora (ingest.ANN_KINDS); empty = the default
    remote_parts: tuple[str, ...] = ("exact", "scifact", "reindex", "large", "small", "tiny")  # remote: which corpora
    log: Callable[[str], None] = field(default=lambda _msg: None, repr=False)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


def to_ms(seconds: list[float]) -> list[float]:
    return [s * 1000.0 for s in seconds]


def settings_for(cfg: BenchConfig, index_dir: Path):  # noqa: ANN202
    from index.settings import Settings

    return Settings(
        backend=cfg.backend, model=cfg.model, model_cache_dir=cfg.model_cache_dir, index_dir=index_dir
    )


def env_for(cfg: BenchConfig, index_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CITEBOT_BACKEND=cfg.backend,
        CITEBOT_MODEL=cfg.model,
        CITEBOT_MODEL_CACHE_DIR=str(cfg.model_cache_dir.resolve()),
        CITEBOT_INDEX_DIR=str(index_dir.resolve()),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def load_embedder(cfg: BenchConfig):  # noqa: ANN202
    from index.models.embeddings import load_embedder as load

    t0 = time.perf_counter()
    emb = load(cfg.model, cfg.backend, cfg.model_cache_dir)
    cfg.log(f"embedder {cfg.backend} ready in {time.perf_counter() - t0:.1f} s")
    return emb


def wall(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed: {proc.stderr.strip()[-500:]}")
    return wall, proc.stdout
