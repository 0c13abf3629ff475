"""The BEIR and SQuAD runners and the CLI on tiny synthetic data sets (real model, tiny corpora)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from index.evaluation.beir import corpus_documents, load_beir, run_beir
from index.evaluation.cache import ensure_index
from index.evaluation.common import open_engine
from index.evaluation.squad import load_squad, run_squad
from index.settings import Settings


@pytest.fixture
def cli():  # noqa: ANN201
    from index.cli import _register_builtin, app

    _register_builtin()
    return app


def test_beir_runner_ranks_documents(tiny_beir, tmp_path, embedder) -> None:  # noqa: ANN001
    settings = Settings()
    index_dir = ensure_index("tiny", corpus_documents(tiny_beir), settings, embedder, tmp_path / "cache")
    engine = open_engine(settings, index_dir, embedder)
    out = run_beir(engine, load_beir(tiny_beir), "hybrid", depth=10)
    assert set(out["run"]) == {"q1", "q2", "q3"}
    assert out["run"]["q1"][0][0] == "d1"
    assert out["metrics"]["ndcg@10"] > 0.9
    assert set(out["metrics"]) >= {"ndcg@10", "recall@100", "mrr@10"}


def test_cache_is_reused(tiny_beir, tmp_path, embedder) -> None:  # noqa: ANN001
    settings = Settings()
    docs = corpus_documents(tiny_beir)
    first = ensure_index("tiny", docs, settings, embedder, tmp_path / "cache")  # not tmp_path/tiny: the data set
    stamp = (first / "current.json").stat().st_mtime_ns
    assert ensure_index("tiny", docs, settings, embedder, tmp_path / "cache") == first
    assert (first / "current.json").stat().st_mtime_ns == stamp


def test_squad_runner(tiny_squad, tmp_path, embedder) -> None:  # noqa: ANN001
    settings = Settings()
    data = load_squad(tiny_squad, [0, 1])
    index_dir = ensure_index("tiny-squad", data.documents, settings, embedder, tmp_path)
    engine = open_engine(settings, index_dir, embedder)
    answers = tmp_path / "answers.jsonl"
    with answers.open("w") as fh:
        m = run_squad(engine, data, "hybrid", fh)["metrics"]
    assert m["passage_hit@1"] == pytest.approx(1.0)
    assert m["quote@1"] == pytest.approx(1.0)
    assert m["verbatim"] == 1.0
    rows = [json.loads(line) for line in answers.read_text().splitlines()]
    assert len(rows) == 3 and {"question", "abstained", "citations", "passages"} <= set(rows[0])


def test_cli_beir_json_run_out_save_compare(cli, tiny_beir, tmp_path) -> None:  # noqa: ANN001
    runner = CliRunner()
    run_file, saved = tmp_path / "run.trec", tmp_path / "first.json"
    args = ["eval", "--beir", str(tiny_beir), "--cache", str(tmp_path / "c"), "--modes", "bm25,hybrid"]
    r = runner.invoke(cli, [*args, "--json", "--run-out", str(run_file), "--save", str(saved)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["modes"]) == {"bm25", "hybrid"}
    assert (tmp_path / "run.bm25.trec").exists() and (tmp_path / "run.hybrid.trec").exists()
    line = (tmp_path / "run.hybrid.trec").read_text().splitlines()[0].split()
    assert line[1] == "Q0" and line[3] == "1" and line[5] == "citebot-hybrid"
    r = runner.invoke(cli, [*args, "--json", "--compare", str(saved)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["deltas"]["hybrid"]["ndcg@10"] == pytest.approx(0.0)
    r = runner.invoke(cli, [*args, "--compare", str(saved)])  # the rich table
    assert r.exit_code == 0 and "ndcg@10" in r.stdout


def test_cli_bad_modes(cli) -> None:  # noqa: ANN001
    from index.evaluation.errors import EvalError

    r = CliRunner().invoke(cli, ["eval", "--modes", "bm25,magic"])
    assert isinstance(r.exception, EvalError)
