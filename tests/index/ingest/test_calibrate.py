"""Abstention calibrated on the corpus at build time: the bank, pseudo-questions, the threshold, the
manifest field, the build summary and ``index info``; one end-to-end run with the real model."""

import json
from pathlib import Path

import numpy as np
import pytest

from index.ingest import calibrate
from index.ingest.builder import build_index
from index.query.abstain import SCORE, threshold
from index.query.engine import Engine
from index.settings import Settings
from index.storage.generations import current
from index.storage.local import LocalBackend
from index.storage.manifest import Manifest
from index.storage.store import read_index

# a small docs folder of a command-line library (no async support anywhere in it)
CLI_DOCS = {
    "docs/commands.md": """# Commands

A command is a plain Python function decorated with `@app.command()`.
The function's name becomes the command's name, with underscores turned into dashes.
Commands can be grouped: a group is a command that holds other commands.
Call `app()` at the bottom of your script to run the command line.
Every command gets a `--help` option that prints its docstring and its parameters.
""",
    "docs/options.md": """# Options and arguments

An option is declared with a default value, for example `name: str = Option("world")`.
Options are given on the command line with two dashes, like `--name Alice`.
A boolean option becomes a flag: `--verbose` turns it on and `--no-verbose` turns it off.
Arguments are positional and required unless they have a default value.
To read an option from an environment variable, pass `envvar="APP_NAME"` to the option.
Use `prompt=True` to ask the user for a value that was not given on the command line.
Passwords are asked with `hide_input=True`, so the typed characters are not shown.
""",
    "docs/output.md": """# Printing and exit codes

Use `echo()` instead of `print()` so that output works the same on every terminal.
Colors are added with `style()`, which wraps text in the terminal's color codes.
By default, the exit code is 0 when the command returns normally.
To stop with an error, raise `Exit(code=1)` and the process ends with that code.
Progress bars are shown with `progressbar()`, which takes any iterable and a label.
Testing is done with the `CliRunner`, which invokes a command and captures its output.
The result of an invocation holds the exit code, the output and any exception raised.
""",
}


def write_docs(root: Path) -> Path:
    for name, text in CLI_DOCS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "docs"


def test_the_bank_ships_with_the_package_and_holds_near_topic_questions() -> None:
    questions = calibrate.bank()
    assert len(questions) >= 200
    assert len(set(questions)) == len(questions)
    assert "async def commands?" in questions
    assert not any(q.startswith("#") for q in questions)
    assert calibrate.sample(questions, 80) == calibrate.sample(questions, 80)
    assert len(set(calibrate.sample(questions, 80))) == 80


def test_the_threshold_sits_between_the_bank_and_the_pseudo_questions() -> None:
    rng = np.random.default_rng(0)
    bank = rng.normal(0.3, 0.1, 250)
    pseudo = rng.normal(0.9, 0.1, 100)
    t, answered = calibrate.choose(bank, pseudo)
    edge, low = np.quantile(bank, calibrate.BANK_QUANTILE), np.quantile(pseudo, 1 - calibrate.PSEUDO_ACCEPT)
    assert edge < low and t == pytest.approx((edge + low) / 2)  # the middle of the gap
    assert answered == 0
    # bank questions this corpus plainly answers (scores above the median pseudo-question's) are left out
    t2, answered = calibrate.choose(np.concatenate([bank, np.full(30, 1.0)]), pseudo)
    assert answered == 30 and t2 == pytest.approx(t)
    # overlapping distributions: lowered so that most pseudo-questions are still answered
    t3, _ = calibrate.choose(rng.normal(0.85, 0.1, 250), pseudo)
    assert t3 == pytest.approx(low)
    assert (pseudo >= t3).mean() >= calibrate.PSEUDO_ACCEPT - 0.01
    # within bounds; a tiny corpus (few pseudo-questions): the bank alone decides
    assert calibrate.choose(np.full(10, -1.0), pseudo)[0] == calibrate.FLOOR
    assert calibrate.choose(bank, pseudo[:5])[0] == pytest.approx(np.quantile(bank, calibrate.BANK_QUANTILE))


def test_pseudo_questions_come_from_prose_units_and_are_deterministic(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    index_dir = tmp_path / "index"
    build_index(Settings(docs_dir=write_docs(tmp_path), index_dir=index_dir), embedder=fake_embedder)
    backend = LocalBackend(read_index(index_dir))
    pseudo = calibrate.pseudo_questions(backend)
    assert pseudo == calibrate.pseudo_questions(backend)
    assert len(pseudo) >= 15
    for p in pseudo:
        unit = backend.unit(p.unit)
        assert unit.kind not in ("code", "heading")
        assert p.question.endswith("?")
        words = set(p.question.rstrip("?").split())
        assert len(words & set(unit.display.lower().replace("`", " ").split())) >= 2


def test_the_build_stores_the_calibration_and_reports_it(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    index_dir = tmp_path / "index"
    report = build_index(Settings(docs_dir=write_docs(tmp_path), index_dir=index_dir), embedder=fake_embedder)
    cal = Manifest.of(index_dir).abstention
    assert cal == report.abstention
    assert cal["score"] == SCORE
    assert calibrate.FLOOR <= cal["threshold"] <= calibrate.CEILING
    assert cal["bank"] == calibrate.BANK_MIN and cal["pseudo"] >= 15
    assert 0.0 <= cal["bank_accept"] <= 1.0 and 0.0 <= cal["pseudo_accept"] <= 1.0
    # the code names the analyzer splits, for the unseen-code check (flags here)
    assert {"--help", "--name", "--verbose", "--no-verbose"} <= set(cal["code_names"])
    line = next(d for d in report.details if d.startswith("abstention:"))
    assert f"threshold {cal['threshold']:.2f}" in line and "off-topic bank 80" in line
    engine = Engine.open(Settings(index_dir=index_dir), embedder=fake_embedder)
    assert threshold(engine.context) == cal["threshold"]
    override = Engine.open(Settings(index_dir=index_dir, abstain_threshold=2.5), embedder=fake_embedder)
    assert threshold(override.context) == 2.5
    assert override.ask("how do I add an option?").abstained


def test_an_index_built_before_calibration_uses_the_old_threshold(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    index_dir = tmp_path / "index"
    build_index(Settings(docs_dir=write_docs(tmp_path), index_dir=index_dir), embedder=fake_embedder)
    path = current(index_dir).path / "manifest.json"
    data = json.loads(path.read_text())
    del data["abstention"]  # as a manifest written before the field existed
    path.write_text(json.dumps(data))
    assert Manifest.of(index_dir).abstention == {}
    engine = Engine.open(Settings(index_dir=index_dir), embedder=fake_embedder)
    assert threshold(engine.context) == 0.30


def test_index_info_shows_the_calibration(tmp_path: Path, fake_embedder) -> None:  # noqa: ANN001
    from tests.index.cli.test_cli import citebot

    index_dir = tmp_path / "index"
    build_index(Settings(docs_dir=write_docs(tmp_path), index_dir=index_dir), embedder=fake_embedder)
    info = citebot("index", "info", index=index_dir)
    assert info.returncode == 0, info.stderr
    shown = json.loads(info.stdout)["abstention"]
    assert shown == Manifest.of(index_dir).abstention and shown["threshold"] > 0


def test_off_topic_and_near_topic_questions_abstain_on_real_docs(tmp_path: Path, real_embedder) -> None:  # noqa: ANN001
    index_dir = tmp_path / "index"
    report = build_index(Settings(docs_dir=write_docs(tmp_path), index_dir=index_dir), embedder=real_embedder)
    assert report.abstention["pseudo"] >= 15
    engine = Engine.open(Settings(index_dir=index_dir), embedder=real_embedder)
    assert engine.ask("what's the capital of australia?").abstained
    assert engine.ask("async def commands?").abstained
    assert engine.ask("how do i register middlewares on an aiohttp web.Application?").abstained
    answer = engine.ask("how do I read an option from an environment variable?")
    assert not answer.abstained
    assert "envvar" in answer.citations[0].quote
    answer = engine.ask("how do i hide the password while the user types it?")
    assert not answer.abstained and "hide_input" in answer.citations[0].quote
    # a code name these docs never write, a year they never give
    assert engine.ask("how do i pass --log-level to set the verbosity of a command?").abstained
    assert engine.ask("in what year was the first version of this command-line library released?").abstained
    assert not engine.ask("how do i turn the --verbose flag off?").abstained


class OneRun:
    """An embedder that gives a question's vector and token states from one run (``encode_with_tokens``),
    counting what it is asked."""

    def __init__(self, inner) -> None:  # noqa: ANN001 - the fake embedder
        self.inner = inner
        self.dim = inner.dim
        self.runs: list[str] = []
        self.encoded: list[str] = []

    def encode_with_tokens(self, text: str):  # noqa: ANN201
        self.runs.append(text)
        return self.inner.encode([text])[0], self.inner.token_states([text])[0]

    def encode(self, texts: list[str], **kw) -> np.ndarray:  # noqa: ANN003
        self.encoded += texts
        return self.inner.encode(texts, **kw)

    def token_states(self, texts: list[str]):  # noqa: ANN201
        return self.inner.token_states(texts)


def test_each_calibration_question_takes_one_model_run_when_the_embedder_gives_both(fake_embedder) -> None:  # noqa: ANN001
    questions = ["how do i add an option?", "what is a group?", "how do i add an option?"]
    one = OneRun(fake_embedder)
    vectors, tokens = calibrate.question_runs(one, list(dict.fromkeys(questions)))
    assert one.runs == ["how do i add an option?", "what is a group?"] and one.encoded == []  # no second pass
    assert set(vectors) == set(tokens) == set(questions)
    # the same vectors and token states as the two passes of an embedder without encode_with_tokens
    plain_vectors, plain_tokens = calibrate.question_runs(fake_embedder, list(dict.fromkeys(questions)))
    for q in questions:
        np.testing.assert_allclose(vectors[q], plain_vectors[q], atol=1e-6)
        assert tokens[q].pieces == plain_tokens[q].pieces
    assert calibrate.question_runs(fake_embedder, []) == ({}, {})
    assert calibrate.question_runs(one, []) == ({}, {})
