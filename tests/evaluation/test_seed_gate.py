"""The regression gate: the seed eval with the real model (the same runner as ``citebot eval``)."""

from __future__ import annotations

from index.evaluation.qa import load_questions, run_qa
from index.evaluation.seed import default_set


def test_seed_eval_gate(seed_engine) -> None:  # noqa: ANN001
    result = run_qa(seed_engine, load_questions(default_set()))
    m = result["metrics"]
    missed = [d["question"] for d in result["details"] if not d["abstain_expected"] and not d["answer@1"]]
    answered_off_topic = [d["question"] for d in result["details"] if d["abstain_expected"] and not d["abstained"]]
    assert m["answer@1"] >= 0.95, f"answer@1 {m['answer@1']:.3f}; missed: {missed}"
    assert not answered_off_topic, f"off-topic questions answered: {answered_off_topic}"
    assert m["abstain_recall"] == 1.0
    assert m["verbatim"] == 1.0


def test_who_praised_him_quotes_both(seed_engine) -> None:  # noqa: ANN001
    answer = seed_engine.ask("who praised him?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Rémi Féraud" in quotes and "Matthieu Valet" in quotes


def test_how_old_is_the_caretaker(seed_engine) -> None:  # noqa: ANN001
    answer = seed_engine.ask("how old is the caretaker?")
    assert answer.citations and "39" in answer.citations[0].quote
