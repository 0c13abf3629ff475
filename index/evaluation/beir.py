"""BEIR data sets (``corpus.jsonl``, ``queries.jsonl``, ``qrels/<split>.tsv``): documents, queries, qrels,
and the document run of the engine (``Engine.retrieve``: its document ranking)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from index.evaluation.errors import EvalDataError
from index.models.documents import Document


@dataclass
class BeirSet:
    directory: Path
    split: str
    queries: dict[str, str]  # only the queries that have qrels in the split
    qrels: dict[str, dict[str, int]]

    @property
    def name(self) -> str:
        return self.directory.name or "beir"


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """A BEIR qrels TSV (header ``query-id corpus-id score``; a header-less file works too)."""
    if not path.is_file():
        raise EvalDataError(path, "no such qrels file")
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.strip().split("\t") if "\t" in line else line.split()
        if not parts or not line.strip():
            continue
        if number == 1 and parts[0].lower() in ("query-id", "query_id", "qid"):
            continue
        if len(parts) < 3:
            raise EvalDataError(path, f"line {number}: expected query-id, corpus-id, score")
        try:
            score = int(float(parts[2]))
        except ValueError:
            raise EvalDataError(path, f"line {number}: score {parts[2]!r} is not a number") from None
        qrels.setdefault(parts[0], {})[parts[1]] = score
    return qrels


def read_queries(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise EvalDataError(path, "no such queries file")
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                out[str(rec["_id"])] = str(rec["text"])
            except (ValueError, KeyError, TypeError):
                raise EvalDataError(path, f"line {number}: not a BEIR query object") from None
    return out


def load_beir(directory: Path, split: str = "test") -> BeirSet:
    directory = Path(directory)
    if not directory.is_dir():
        raise EvalDataError(directory, "not a directory")
    if not (directory / "corpus.jsonl").is_file():
        raise EvalDataError(directory, "no corpus.jsonl")
    qrels = read_qrels(directory / "qrels" / f"{split}.tsv")
    queries = read_queries(directory / "queries.jsonl")
    kept = {q: queries[q] for q in qrels if q in queries}
    if not kept:
        raise EvalDataError(directory, f"no query of qrels/{split}.tsv is in queries.jsonl")
    return BeirSet(directory, split, kept, {q: qrels[q] for q in kept})


def corpus_documents(directory: Path) -> list[Document]:
    from index.ingest.loaders.beir import iter_beir_corpus

    return list(iter_beir_corpus(Path(directory) / "corpus.jsonl"))


def run_beir(engine, data: BeirSet, mode: str = "hybrid", depth: int = 100) -> dict:  # noqa: ANN001
    """nDCG@10, Recall@100, MRR@10 (ranx) of the engine's document ranking, plus the run itself."""
    from index.evaluation.common import ranked_sources, timed
    from index.evaluation.metrics import BEIR_METRICS, evaluate, percentile

    run: dict[str, list[tuple[str, float]]] = {}
    latencies: list[float] = []
    for qid, text in data.queries.items():
        retrieval, ms = timed(lambda text=text: engine.retrieve(text, mode))
        latencies.append(ms)
        run[qid] = ranked_sources(engine, retrieval, depth)
    metrics = evaluate(data.qrels, {q: dict(r) for q, r in run.items()}, BEIR_METRICS)
    metrics |= {"latency_p50_ms": percentile(latencies, 50), "latency_p95_ms": percentile(latencies, 95)}
    return {"metrics": metrics, "counts": {"queries": len(data.queries)}, "run": run}
