from __future__ import annotations

import pytest

from index.evaluation.beir import load_beir, read_qrels
from index.evaluation.errors import BadSplit, EvalDataError
from index.evaluation.qa import load_questions
from index.evaluation.seed import default_set, hard_set
from index.evaluation.squad import load_squad, parse_articles, quote_hit


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24-47", list(range(24, 48))), ("0-23", list(range(24))), ("3", [3]), ("0-1, 5,7-8", [0, 1, 5, 7, 8])],
)
def test_parse_articles(text: str, expected: list[int]) -> None:
    assert parse_articles(text) == expected


@pytest.mark.parametrize("text", ["", "a-b", "47-24", "1-", "-3"])
def test_parse_articles_rejects(text: str) -> None:
    with pytest.raises(BadSplit):
        parse_articles(text)


def test_load_beir_keeps_queries_with_qrels(tiny_beir) -> None:  # noqa: ANN001
    data = load_beir(tiny_beir, "test")
    assert set(data.queries) == {"q1", "q2", "q3"}
    assert data.qrels["q2"] == {"d4": 1}


def test_load_beir_errors(tiny_beir, tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(EvalDataError, match="no such qrels"):
        load_beir(tiny_beir, "train")
    with pytest.raises(EvalDataError, match="no corpus"):
        load_beir(tmp_path, "test")


def test_read_qrels_without_header(tmp_path) -> None:  # noqa: ANN001
    p = tmp_path / "q.tsv"
    p.write_text("1\t10\t1\n1\t11\t2\n")
    assert read_qrels(p) == {"1": {"10": 1, "11": 2}}


def test_load_squad_one_document_per_paragraph(tiny_squad) -> None:  # noqa: ANN001
    data = load_squad(tiny_squad, [1])
    assert len(data.documents) == 3  # every paragraph of the file is in the corpus
    assert [q.answers for q in data.questions] == [("250 degrees",), ("Germany",)]
    assert data.documents[1].title == "Bread Baking"
    gold = {d.source: d for d in data.documents}[data.questions[0].source]
    assert "250 degrees" in gold.text
    with pytest.raises(EvalDataError, match="has 2 articles"):
        load_squad(tiny_squad, [5])


def test_quote_hit() -> None:
    assert quote_hit(["x", "the answer is 42"], ("42",), 3)
    assert not quote_hit(["x", "the answer is 42"], ("42",), 1)
    assert not quote_hit([], ("42",), 3)


def test_seed_sets_are_docsqa_files() -> None:
    qs = load_questions(default_set())
    assert sum(not q.abstain for q in qs) >= 30
    assert sum(q.abstain for q in qs) >= 8
    assert all(q.kind == "unanswerable" for q in qs if q.abstain)
    by_q = {q.question: q for q in qs}
    assert set(by_q["who praised him?"].all_of) == {"Rémi Féraud", "Matthieu Valet"}
    assert "39" in by_q["how old is the caretaker?"].any
    assert {q.kind for q in load_questions(hard_set())} == {"coreference", "synonym"}


def test_seed_strings_are_verbatim_in_the_seed_article() -> None:
    from tests.evaluation.conftest import REPO

    for path in (default_set(), hard_set()):
        for q in load_questions(path):
            if q.file:
                text = (REPO / "seeds" / q.file).read_text(encoding="utf-8")
                assert all(s in text for s in q.expected), q.question
