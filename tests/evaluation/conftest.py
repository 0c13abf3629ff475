"""Fixtures of the eval-suite tests: tiny BEIR and SQuAD files in tmp_path, the real seed index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = Path("/work/shared/data")


@pytest.fixture
def tiny_beir(tmp_path: Path) -> Path:
    d = tmp_path / "tiny"
    (d / "qrels").mkdir(parents=True)
    corpus = [
        {"_id": "d1", "title": "Cats", "text": "Cats purr when they are content. A cat sleeps for most of the day."},
        {"_id": "d2", "title": "Dogs", "text": "Dogs bark at strangers. A dog wags its tail when happy."},
        {"_id": "d3", "title": "Volcanoes", "text": "Lava flows from an erupting volcano. Magma cools into basalt rock."},
        {"_id": "d4", "title": "Bread", "text": "Sourdough bread rises with wild yeast. Bakers knead the dough."},
    ]
    (d / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in corpus) + "\n")
    queries = [
        {"_id": "q1", "text": "why do cats purr?"},
        {"_id": "q2", "text": "what makes sourdough rise?"},
        {"_id": "q3", "text": "where does basalt come from?"},
        {"_id": "q9", "text": "a query without qrels"},
    ]
    (d / "queries.jsonl").write_text("\n".join(json.dumps(r) for r in queries) + "\n")
    (d / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td3\t1\n")
    return d


@pytest.fixture
def tiny_squad(tmp_path: Path) -> Path:
    def para(context: str, qas: list[tuple[str, str]]) -> dict:
        return {
            "context": context,
            "qas": [
                {"id": f"{i}-{q[:8]}", "question": q, "answers": [{"text": a, "answer_start": context.index(a)}]}
                for i, (q, a) in enumerate(qas)
            ],
        }

    data = {
        "version": "1.1",
        "data": [
            {"title": "Volcano", "paragraphs": [
                para("Mount Etna is a volcano in Sicily. It erupted in 2021 and its lava reached the sea.",
                     [("Where is Mount Etna?", "Sicily")]),
            ]},
            {"title": "Bread_Baking", "paragraphs": [
                para("Sourdough rises because of wild yeast. The loaf is baked at 250 degrees.",
                     [("At what temperature is the loaf baked?", "250 degrees")]),
                para("Rye flour makes a dense bread popular in Germany.",
                     [("Where is rye bread popular?", "Germany")]),
            ]},
        ],
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="session")
def embedder():  # noqa: ANN201
    from index.models.embeddings import load_embedder
    from index.settings import Settings

    s = Settings()
    return load_embedder(s.model, s.backend)


@pytest.fixture(scope="session")
def seed_engine(tmp_path_factory, embedder):  # noqa: ANN001, ANN201
    """An engine over the real seeds/ folder with the real model (built once per session)."""
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.ingest.loaders import load_folder
    from index.settings import Settings

    settings = Settings()
    cache = tmp_path_factory.mktemp("eval-cache")
    index_dir = ensure_index("seed", load_folder(REPO / "seeds").documents, settings, embedder, cache)
    return open_engine(settings, index_dir, embedder)
