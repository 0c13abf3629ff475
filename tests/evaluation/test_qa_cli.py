"""``citebot eval --qa FILE --docs DIR`` as a user runs it: a small real docs folder, the real model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index.evaluation.qa import citations_have_kind

GUIDE = """# Timeouts

HTTPX is careful to enforce timeouts everywhere by default.

The default behavior is to raise a TimeoutException after 5 seconds of network inactivity.

## Disabling timeouts

You can disable timeouts entirely by passing `None`:

```python
client = httpx.Client(timeout=None)
```
"""

INSTALL = """# Installation

Install HTTPX using pip:

```shell
$ pip install httpx
```

HTTPX requires Python 3.9+.
"""

QUESTIONS = [
    {"q": "how long until a request times out by default?", "any": ["after 5 seconds of network inactivity"],
     "file": "docs/timeouts.md", "kind": "factual", "abstain": False},
    {"q": "which python versions does httpx need?", "any": ["HTTPX requires Python 3.9+."],
     "file": "docs/install.md", "kind": "factual", "abstain": False},
    {"q": "show me a client without timeouts", "any": ["httpx.Client(timeout=None)"],
     "file": "docs/timeouts.md", "kind": "code", "abstain": False},
    {"q": "who won the 2018 FIFA World Cup?", "any": [], "file": None, "kind": "unanswerable", "abstain": True},
]


@pytest.fixture
def cli():  # noqa: ANN201
    from index.cli import _register_builtin, app

    _register_builtin()
    return app


@pytest.fixture
def golden(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "corpus"
    (docs / "docs").mkdir(parents=True)
    (docs / "docs" / "timeouts.md").write_text(GUIDE, encoding="utf-8")
    (docs / "docs" / "install.md").write_text(INSTALL, encoding="utf-8")
    questions = tmp_path / "golden.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    return questions, docs


def test_eval_qa_json_misses_save_compare(cli, golden, tmp_path) -> None:  # noqa: ANN001
    questions, docs = golden
    saved = tmp_path / "first.json"
    args = ["eval", "--qa", str(questions), "--docs", str(docs), "--cache", str(tmp_path / "cache")]
    r = CliRunner().invoke(cli, [*args, "--json", "--misses", "--save", str(saved)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["suite"] == f"qa:{tmp_path.name}/golden.jsonl"
    m = out["modes"]["hybrid"]
    assert out["counts"] == {"questions": 4, "answerable": 3, "unanswerable": 1, "code": 1,
                             "abstained": out["counts"]["abstained"],
                             "wrongly_abstained": out["counts"]["wrongly_abstained"]}
    assert m["verbatim"] == 1.0
    assert m["answer@1"] >= 2 / 3  # the two prose facts are quoted first
    assert m["passage@5"] >= 2 / 3  # (the code question also needs code blocks indexed as units)
    assert m["abstain_recall"] == 1.0  # the World Cup is not in the docs
    assert m["latency_p50_ms"] > 0
    assert list(out["by_kind"]["hybrid"]) == ["factual", "code", "unanswerable"]
    if citations_have_kind():
        assert isinstance(m["code_with_code"], float) and out["notes"] == []
    else:
        assert m["code_with_code"] is None
        assert out["notes"] == ["code questions answered with code: not measurable yet (citations carry no kind)"]
    missed = {row["question"] for row in out["misses"]["hybrid"]}
    assert len(missed) == round((1 - m["answer@1"]) * 3) + round((1 - m["abstain_recall"]) * 1)
    assert json.loads(saved.read_text())["modes"]["hybrid"] == m

    r = CliRunner().invoke(cli, [*args, "--compare", str(saved), "--misses"])  # the rich tables
    assert r.exit_code == 0, r.output
    assert "answer@1" in r.stdout and "per kind · hybrid" in r.stdout and "(+0.000)" in r.stdout
    assert "misses · hybrid" in r.stdout


def test_eval_qa_modes_and_answers_out(cli, golden, tmp_path) -> None:  # noqa: ANN001
    questions, docs = golden
    answers = tmp_path / "answers.jsonl"
    r = CliRunner().invoke(cli, ["eval", "--qa", str(questions), "--docs", str(docs), "--cache", str(tmp_path / "c"),
                                 "--modes", "bm25,hybrid", "--limit", "2", "--json", "--answers-out", str(answers)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out["modes"]) == {"bm25", "hybrid"} and out["counts"]["questions"] == 2
    rows = [json.loads(line) for line in (tmp_path / "answers.hybrid.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and {"question", "citations", "passages", "kind", "answer@1"} <= set(rows[0])


def test_a_bad_question_file_is_one_line_and_exit_1(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "how?", "any": ["x"]}\n{"q": "why?"}\n')
    proc = subprocess.run([sys.executable, "-m", "index", "eval", "--qa", str(bad), "--docs", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f'citebot: cannot read eval data {bad}: line 2: an answerable question needs "any" (or "all_of") strings'
    ]


def test_docs_goes_with_qa(cli, tmp_path) -> None:  # noqa: ANN001
    from index.evaluation.errors import EvalError

    r = CliRunner().invoke(cli, ["eval", "--beir", str(tmp_path), "--docs", str(tmp_path)])
    assert isinstance(r.exception, EvalError) and "--qa" in str(r.exception)
    r = CliRunner().invoke(cli, ["eval", "--beir", str(tmp_path), "--qa", str(tmp_path / "q.jsonl")])
    assert isinstance(r.exception, EvalError) and "choose one" in str(r.exception)


def test_eval_without_arguments_runs_the_seed_set_and_the_hard_set(cli, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from tests.evaluation.conftest import REPO

    monkeypatch.chdir(REPO)
    r = CliRunner().invoke(cli, ["eval", "--cache", str(tmp_path / "cache"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["suite"] == "seed" and out["counts"]["questions"] == 45 and out["counts"]["unanswerable"] == 11
    assert out["modes"]["hybrid"]["answer@1"] >= 0.95 and out["modes"]["hybrid"]["abstain_recall"] == 1.0
    assert out["hard"]["counts"]["questions"] == 8
    assert set(out["hard"]["by_kind"]["hybrid"]) == {"coreference", "synonym"}
