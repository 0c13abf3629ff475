"""The docs-QA runner: the question format, the scoring rule, the summary, misses (pure logic, fake
answers or the fake embedder)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from index.evaluation.errors import EvalDataError
from index.evaluation.qa import (
    NOT_MEASURABLE_CODE,
    Outcome,
    QAQuestion,
    hit_at,
    index_name,
    load_questions,
    miss_rows,
    normalize,
    passage_hit,
    score_answer,
    summarize,
)
from index.evaluation.qa_report import kind_tables, miss_lines


@dataclass
class Cite:
    quote: str
    source: str = "docs/a.md"
    line: int = 1
    display: str | None = None
    kind: str | None = None


@dataclass
class Psg:
    text: str
    source: str = "docs/a.md"
    line: int = 1


@dataclass
class Ans:
    citations: list
    passages: list
    abstained: bool = False


def write(tmp_path, rows) -> object:  # noqa: ANN001
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


def test_loads_docsqa_lines_and_the_all_of_extension(tmp_path) -> None:  # noqa: ANN001
    p = write(tmp_path, [
        {"q": "how do I stream?", "any": ["For large downloads"], "file": "docs/q.md", "kind": "howto", "abstain": False},
        "",
        {"q": "does it do HTTP/3?", "any": [], "file": None, "kind": "unanswerable", "abstain": True},
        {"q": "who praised him?", "any": ["A"], "all_of": ["A", "B"], "kind": "factual", "abstain": False, "note": "x"},
        {"q": "no kind given", "any": ["x"]},
    ])
    qs = load_questions(p)
    assert [q.kind for q in qs] == ["howto", "unanswerable", "factual", "answerable"]
    assert qs[0] == QAQuestion("how do I stream?", ("For large downloads",), (), "docs/q.md", "howto", False)
    assert qs[1].abstain and qs[1].file is None
    assert qs[2].all_of == ("A", "B") and qs[2].expected == ("A", "B")
    assert not qs[3].abstain


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "line 1: not JSON"),
        ('{"any": ["x"]}', 'no question'),
        ('{"q": "why?", "any": [], "kind": "why", "abstain": false}', "needs \"any\""),
        ('{"q": "why?", "any": ["x"], "abstain": true}', "no expected strings"),
        ('{"q": "why?", "any": "x"}', "list of strings"),
        ('{"q": "why?", "any": ["x"], "abstain": "no"}', "true or false"),
        ('{"q": "why?", "any": ["  "]}', "empty"),
    ],
)
def test_bad_lines_are_one_clear_error(tmp_path, line, reason) -> None:  # noqa: ANN001
    p = tmp_path / "q.jsonl"
    p.write_text(line + "\n")
    with pytest.raises(EvalDataError, match=reason):
        load_questions(p)


def test_missing_and_empty_files(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(EvalDataError, match="no such file"):
        load_questions(tmp_path / "nope.jsonl")
    (tmp_path / "e.jsonl").write_text("\n\n")
    with pytest.raises(EvalDataError, match="no questions"):
        load_questions(tmp_path / "e.jsonl")


def test_scoring_collapses_whitespace_on_both_sides_and_is_case_sensitive() -> None:
    q = QAQuestion("q", any=("For large  downloads you",))
    assert normalize(" a\n\t b  ") == "a b"
    assert hit_at(q, [Cite("For large\n   downloads you may want")], 1)
    assert not hit_at(q, [Cite("for large downloads you may want")], 1)
    assert not hit_at(q, [], 1)


def test_answer_at_k_and_display_text() -> None:
    q = QAQuestion("q", any=("timeout=None",))
    cites = [Cite("nothing here"), Cite("pass ``timeout=None``")]
    assert not hit_at(q, cites, 1) and hit_at(q, cites, 3)
    # the quote is the markup; the display text (what is shown) holds the string
    assert hit_at(QAQuestion("q", any=("use the envvar parameter",)),
                  [Cite("use the `envvar` parameter", display="use the envvar parameter")], 1)


def test_all_of_needs_every_string_somewhere_in_the_quotes() -> None:
    q = QAQuestion("who praised him?", any=("A", "B"), all_of=("A", "B"))
    assert hit_at(q, [Cite("A said"), Cite("x"), Cite("B said")], 1)
    assert not hit_at(q, [Cite("A said"), Cite("x")], 3)
    assert not hit_at(q, [Cite("x"), Cite("A"), Cite("B")], 1)


def test_passage_at_5() -> None:
    q = QAQuestion("q", any=("needle",))
    assert passage_hit(q, [Psg("hay")] * 4 + [Psg("a needle")])
    assert not passage_hit(q, [Psg("hay")] * 5 + [Psg("a needle")])


def test_code_questions_need_a_code_citation_once_citations_have_a_kind() -> None:
    q = QAQuestion("example?", any=("Client(",), kind="code")
    prose, code = Cite("use httpx.Client(...) like this", kind="paragraph"), Cite("c = httpx.Client()", kind="code")
    assert score_answer(q, Ans([prose], []), code_measurable=True).code_answer is False
    assert score_answer(q, Ans([code], []), code_measurable=True).code_answer is True
    assert score_answer(q, Ans([code], []), code_measurable=False).code_answer is None
    assert score_answer(q, Ans([code], [], abstained=True), code_measurable=True).code_answer is False


def outcome(kind: str, *, hit1=False, hit3=False, p5=False, abstained=False, code=None, ms=10.0) -> Outcome:  # noqa: ANN001
    return Outcome("q", kind, kind == "unanswerable", abstained, hit1, hit3, p5, code, True, ms)


def test_summary_abstention_and_kinds() -> None:
    outcomes = [
        outcome("howto", hit1=True, hit3=True, p5=True),
        outcome("howto", hit3=True, p5=True),
        outcome("howto", abstained=True),  # wrongly abstained
        outcome("code", hit1=True, hit3=True, p5=True, code=True),
        outcome("code", hit1=True, hit3=True, p5=True, code=False),
        outcome("unanswerable", abstained=True),
        outcome("unanswerable"),
    ]
    s = summarize(outcomes, code_measurable=True)
    m = s["metrics"]
    assert m["answer@1"] == pytest.approx(3 / 5)
    assert m["answer@3"] == pytest.approx(4 / 5)
    assert m["passage@5"] == pytest.approx(4 / 5)
    assert m["abstain_precision"] == pytest.approx(1 / 2)  # two abstained, one of them rightly
    assert m["abstain_recall"] == pytest.approx(1 / 2)
    assert m["wrongly_abstained"] == pytest.approx(1 / 5)
    assert m["code_with_code"] == pytest.approx(1 / 2)
    assert m["verbatim"] == 1.0 and m["latency_p50_ms"] == pytest.approx(10.0)
    assert s["counts"] == {"questions": 7, "answerable": 5, "unanswerable": 2, "code": 2, "abstained": 2,
                           "wrongly_abstained": 1}
    assert list(s["by_kind"]) == ["howto", "code", "unanswerable"]
    assert s["by_kind"]["howto"]["answer@1"] == pytest.approx(1 / 3)
    assert s["by_kind"]["code"]["code_with_code"] == pytest.approx(1 / 2)
    assert s["by_kind"]["unanswerable"]["answer@1"] is None
    assert s["by_kind"]["unanswerable"]["abstained"] == pytest.approx(1 / 2)
    assert s["notes"] == []


def test_code_with_code_is_not_measurable_without_citation_kinds() -> None:
    s = summarize([outcome("code", hit1=True, hit3=True, p5=True)], code_measurable=False)
    assert s["metrics"]["code_with_code"] is None
    assert s["by_kind"]["code"]["code_with_code"] is None
    assert s["notes"] == [NOT_MEASURABLE_CODE]
    assert s["metrics"]["abstain_precision"] is None and s["metrics"]["abstain_recall"] is None


def test_misses_say_what_was_expected_and_what_was_quoted() -> None:
    qs = [QAQuestion("how do I stream?", ("For large downloads",), (), "docs/q.md", "howto"),
          QAQuestion("HTTP/3?", kind="unanswerable", abstain=True),
          QAQuestion("ok?", ("yes",), kind="factual")]
    answers = [Ans([Cite("Use a Client [for pooling]", "docs/advanced/clients.md", 12)], [Psg("For large downloads …")]),
               Ans([Cite("HTTP/2 is supported", "docs/http2.md", 3)], []),
               Ans([Cite("yes")], [])]
    outcomes = [score_answer(q, a, code_measurable=False) for q, a in zip(qs, answers, strict=True)]
    rows = miss_rows(qs, outcomes)
    assert [r["question"] for r in rows] == ["how do I stream?", "HTTP/3?"]
    text = "\n".join(miss_lines(rows, "hybrid", 3))
    assert "misses · hybrid · 2 of 3 questions" in text
    assert '"For large downloads"  (docs/q.md)' in text
    assert "found by: passage@5" in text
    assert "quoted 1: docs/advanced/clients.md:12 “Use a Client [for pooling]”" in text
    assert "expected: abstain" in text and "docs/http2.md:3" in text


def test_abstained_miss_shows_the_nearest_passage() -> None:
    q = QAQuestion("q", ("x",))
    o = score_answer(q, Ans([], [Psg("nearest   text", "docs/n.md", 7)], abstained=True), code_measurable=False)
    text = "\n".join(miss_lines(miss_rows([q], [o]), "bm25", 1))
    assert "abstained; nearest passage docs/n.md:7 “nearest text”" in text


def test_kind_table_shows_counts_and_deltas() -> None:
    from rich.console import Console

    now = {"by_kind": {"hybrid": {"howto": {"n": 4, "answerable": 4, "answer@1": 0.5, "abstained": 0.0}}}}
    before = {"by_kind": {"hybrid": {"howto": {"n": 4, "answerable": 4, "answer@1": 0.25, "abstained": 0.0}}}}
    console = Console(record=True, width=150)
    for t in kind_tables(now, before):
        console.print(t)
    out = console.export_text()
    assert "0.500 2/4 (+0.250)" in out and "howto" in out


def test_index_names_differ_for_same_named_folders(tmp_path) -> None:  # noqa: ANN001
    a, b = tmp_path / "httpx" / "corpus", tmp_path / "requests" / "corpus"
    assert index_name(a) != index_name(b)
    assert index_name(a).startswith("qa-httpx-corpus-")
    assert index_name(a) == index_name(a)


def test_run_qa_with_the_fake_embedder(tmp_path, fake_embedder) -> None:  # noqa: ANN001
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.evaluation.qa import load_corpus, run_qa
    from index.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "volcano.md").write_text("# Volcanoes\n\nLava flows from an erupting volcano.\n\n"
                                     "Magma cools into basalt rock.\n", encoding="utf-8")
    (docs / "bread.md").write_text("# Bread\n\nSourdough bread rises with wild yeast.\n", encoding="utf-8")
    qs = load_questions(write(tmp_path, [
        {"q": "what makes sourdough bread rise?", "any": ["wild yeast"], "file": "bread.md", "kind": "factual",
         "abstain": False},
        {"q": "what does magma cool into?", "any": ["basalt rock"], "file": "volcano.md", "kind": "factual",
         "abstain": False},
    ]))
    settings = Settings()
    index_dir = ensure_index("tiny", load_corpus(docs), settings, fake_embedder, tmp_path / "cache")
    engine = open_engine(settings, index_dir, fake_embedder)
    out = run_qa(engine, qs, "bm25")
    assert out["counts"]["questions"] == 2 and len(out["details"]) == 2
    assert out["metrics"]["verbatim"] == 1.0
    assert out["metrics"]["passage@5"] == 1.0  # two small documents: every passage is in the top 5
    assert out["metrics"]["latency_p50_ms"] > 0
    assert len(out["misses"]) == 2 - round(out["metrics"]["answer@1"] * 2)
