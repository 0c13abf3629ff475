"""The held-out numbers of BENCHMARKS.md on the real data sets (slow: builds/uses the eval cache)."""

from __future__ import annotations

import pytest

from tests.evaluation.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings():  # noqa: ANN201
    from index.settings import Settings

    return Settings()


@pytest.mark.skipif(not (DATA / "scifact").is_dir(), reason="no SciFact data")
def test_scifact_test_ndcg(settings, embedder) -> None:  # noqa: ANN001
    from index.evaluation.beir import corpus_documents, load_beir, run_beir
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine

    index_dir = ensure_index("beir-scifact", corpus_documents(DATA / "scifact"), settings, embedder)
    m = run_beir(open_engine(settings, index_dir, embedder), load_beir(DATA / "scifact", "test"))["metrics"]
    assert m["ndcg@10"] >= 0.74  # measured 0.743; beats the RRF reference 0.717; target 0.75 (see BENCHMARKS.md)


@pytest.mark.skipif(not (DATA / "squad").is_dir(), reason="no SQuAD data")
def test_squad_heldout(settings, embedder) -> None:  # noqa: ANN001
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.squad import load_squad, parse_articles, run_squad

    data = load_squad(DATA / "squad/dev-v1.1.json", parse_articles("24-47"))
    index_dir = ensure_index("squad-dev-v1.1", data.documents, settings, embedder)
    m = run_squad(open_engine(settings, index_dir, embedder), data)["metrics"]
    assert m["verbatim"] == 1.0
    assert m["passage_hit@1"] >= 0.85  # the target (measured 0.875; BM25 reference 0.796)
    assert m["quotes@3"] >= 0.90  # the target (measured 0.910; reference 0.830)
    assert m["quote@1"] >= 0.785  # measured 0.796; target 0.80 not met (reference sentence picker 0.702)
