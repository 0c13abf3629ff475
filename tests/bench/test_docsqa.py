"""The docs-QA rows of ``citebot bench``: which sets are found, and one real run on a tiny set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.bench.docsqa import bench_docsqa, docsqa_sets
from index.bench.run import BenchConfig


def make_set(root: Path, name: str, files: dict[str, str], questions: list[dict]) -> None:
    corpus = root / name / "corpus"
    for rel, text in files.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text, encoding="utf-8")
    corpus.mkdir(parents=True, exist_ok=True)
    (root / name / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")


Q = {"q": "what makes sourdough rise?", "any": ["wild yeast"], "file": "docs/bread.md", "kind": "factual",
     "abstain": False}


def test_sets_are_folders_with_questions_and_a_corpus(tmp_path) -> None:  # noqa: ANN001
    make_set(tmp_path, "zeta", {"a.md": "# A\n\ntext\n"}, [Q])
    make_set(tmp_path, "alpha", {"a.md": "# A\n\ntext\n"}, [Q])
    (tmp_path / "notes").mkdir()
    assert [name for name, _, _ in docsqa_sets(tmp_path)] == ["alpha", "zeta"]
    assert docsqa_sets(tmp_path / "missing") == []


def test_nothing_to_measure_says_why(tmp_path) -> None:  # noqa: ANN001
    rows = bench_docsqa(BenchConfig(docsqa=tmp_path / "missing", work=tmp_path / "w"))
    assert [r.citebot for r in rows] == [None] and "none under" in rows[0].note
    make_set(tmp_path, "empty", {}, [Q])  # a corpus folder without documents
    rows = bench_docsqa(BenchConfig(docsqa=tmp_path, work=tmp_path / "w"))
    assert len(rows) == 1 and rows[0].citebot is None and "not measured" in rows[0].note


@pytest.mark.slow
def test_a_real_run_on_a_tiny_set(tmp_path) -> None:  # noqa: ANN001
    files = {"docs/bread.md": "# Bread\n\nSourdough bread rises with wild yeast.\n\nBake it at 250 degrees.\n"}
    make_set(tmp_path, "httpx", files, [Q, {**Q, "q": "how hot is the oven?", "any": ["250 degrees"]}])
    make_set(tmp_path, "other", files, [Q])
    cfg = BenchConfig(docsqa=tmp_path, work=tmp_path / "work", model_cache_dir=Path(".citebot/models"))
    rows = {r.metric: r for r in bench_docsqa(cfg)}
    assert set(rows) == {"httpx docs: citebot index build (fresh process)", "httpx docs: index build (in process)",
                         "httpx docs: citebot index build CPU time (fresh process)",
                         "httpx docs: index size (live generation)",
                         "httpx: ask p50", "httpx: ask p95", "httpx: ask CPU time p50",
                         "other: ask p50", "other: ask p95", "other: ask CPU time p50"}
    build = rows["httpx docs: citebot index build (fresh process)"]
    assert build.unit == "s" and build.citebot > 0 and build.ok is not None
    assert rows["httpx docs: index build (in process)"].plain > 0
    assert rows["httpx docs: index size (live generation)"].unit == "MB"
    assert rows["httpx docs: index size (live generation)"].citebot > 0
    assert rows["httpx docs: citebot index build CPU time (fresh process)"].citebot > 0
    for name in ("httpx", "other"):
        p50 = rows[f"{name}: ask p50"]
        assert p50.unit == "ms" and 0 < p50.citebot <= rows[f"{name}: ask p95"].citebot
        assert p50.plain > 0 and p50.target == "<= 30 ms"
        assert rows[f"{name}: ask CPU time p50"].citebot > 0
