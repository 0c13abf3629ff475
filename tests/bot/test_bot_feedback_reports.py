"""citebot feedback gaps / export: from what users told the bot back to the docs and the eval (issue 11 §4)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from botfakes import DOCS, FIRE_QUOTE, STEPS_DOC, fake_answer
from typer.testing import CliRunner

from bot.feedback import FeedbackStore
from bot.feedback.cli import feedback_app
from bot.feedback.export import golden_set, key_string, kind_of
from bot.feedback.gaps import collect, to_csv, to_markdown
from index.evaluation.qa import load_questions, score_answer


def dated(store: FeedbackStore, answer_id: str, day: str) -> None:
    with store.connect() as conn:
        conn.execute("UPDATE answers SET created_at = ? WHERE answer_id = ?", (f"{day}T10:00:00+00:00", answer_id))
        conn.execute("UPDATE feedback SET created_at = ? WHERE answer_id = ?", (f"{day}T11:00:00+00:00", answer_id))


@pytest.fixture
def store(new_store):
    s = new_store()
    s.init()
    rows = [  # (id, question, voter, vote, day)
        ("1", "what is the weather tomorrow?", None, None, "2024-05-01"),  # abstained
        ("2", "what is the weather on Sunday?", 7, "down", "2024-05-03"),  # abstained and 👎
        ("3", "what is the weather tomorrow?", None, None, "2024-05-04"),  # the same question again
        ("4", "When did the fire start?", 8, "down", "2024-05-02"),  # answered, but 👎
        ("5", "what is the timeout?", 9, "up", "2024-05-05"),  # 👍: for the golden set
        ("6", "why is the timeout five seconds?", 9, "up", "2024-05-06"),
        ("7", "who must tell everyone?", 9, "up", "2024-05-07"),
        ("8", "what is the timeout?", 10, "down", "2024-05-08"),  # same question, net 👎 on this answer
    ]
    for answer_id, question, voter, vote, day in rows:
        aid = answer_id * 32
        s.save_answer(aid, fake_answer(question), asker=1000 + int(answer_id))
        if voter is not None:
            s.record_vote(aid, voter, vote)
        if answer_id == "7":
            s.record_vote(aid, 11, "down")  # 1 up, 1 down: not net positive, and a gap
        dated(s, aid, day)
    return s


def test_gaps_group_abstentions_and_downvotes_by_nearest_passage(store):
    groups = collect(store)
    assert [(g.source, g.line, len(g.gaps)) for g in groups] == [  # the most asked first, then the most recent
        ("fire.txt", 3, 3), ("docs/guide/timeouts.md", 5, 1), ("board.txt", 2, 1), ("fire.txt", 2, 1),
    ]
    weather = groups[0]
    assert weather.passage.startswith("Forty firefighters") and (weather.first[:10], weather.last[:10]) == ("2024-05-01", "2024-05-04")
    assert weather.count("abstained") == 3 and weather.count("👎") == 1
    assert groups[2].gaps[0].question == "who must tell everyone?"  # a 👍 and a 👎: a gap too
    assert collect(store, since="2024-05-03")[0].count("abstained") == 2


def test_gaps_as_markdown_and_csv(store):
    md = to_markdown(collect(store))
    assert md.startswith("# Questions the documents did not answer\n\n6 questions (3 abstained, 4 voted 👎) from 2024-05-01 to 2024-05-08")
    assert "## 1. fire.txt, line 3 — 3 questions (3 abstained, 1 👎), 2024-05-01 – 2024-05-04" in md
    assert "| what is the weather tomorrow? | 2 | 2024-05-04 | abstained |" in md  # asked twice: one row
    assert "> Forty firefighters answered the call within eight minutes." in md
    assert store.user_hash(7) not in md and "1001" not in md  # nobody is named, not even by hash
    rows = list(csv.DictReader(io.StringIO(to_csv(collect(store)))))
    assert len(rows) == 6 and rows[0]["nearest_source"] == "fire.txt" and rows[0]["group_count"] == "3"
    assert {r["reasons"] for r in rows} == {"abstained", "abstained;👎", "👎"}
    assert to_markdown([]).endswith("None so far: no abstentions and no 👎 votes.\n")


def test_export_writes_a_golden_set_the_eval_runner_reads(store, tmp_path):
    result = golden_set(store)
    assert [i["q"] for i in result.items] == ["what is the timeout?", "why is the timeout five seconds?"]
    first = result.items[0]
    assert first == {"q": "what is the timeout?", "any": ["The default timeout is five seconds."],
                     "file": "docs/guide/timeouts.md", "kind": "factual", "abstain": False}
    assert result.items[1]["kind"] == "why"
    for item in result.items:
        assert any(item["any"][0] in line for line in DOCS[item["file"]].splitlines())  # on one source line
    path = tmp_path / "golden.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in result.items), encoding="utf-8")
    questions = load_questions(path)  # what `citebot eval --qa` reads
    outcome = score_answer(questions[0], fake_answer("what is the timeout?"), False)
    assert outcome.hit1  # the answer people liked scores as right


def test_export_leaves_out_what_changed_in_the_docs(store, tmp_path):
    docs = tmp_path / "docs"
    (docs / "docs" / "guide").mkdir(parents=True)
    (docs / "docs/guide/timeouts.md").write_text(STEPS_DOC.replace("five seconds", "ten seconds"), encoding="utf-8")
    result = golden_set(store, docs)
    assert result.items == [] and result.skipped == {"document changed since the vote": 2}


def test_key_strings_and_kinds():
    assert key_string("a short\nThe longest line of the quote wins here.\nok") == "The longest line of the quote wins here."
    assert len(key_string("word " * 100)) <= 120 and key_string("tiny") is None
    assert kind_of("how do I set it?", {}) == "howto" and kind_of("x", {"kind": "code"}) == "code"
    assert kind_of("how old is the caretaker?", {}) == "factual"  # "how old/many/long" asks for a fact
    assert kind_of("When did the fire start?", {"quote": FIRE_QUOTE}) == "factual"


def test_the_commands(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if store.dialect == "postgres":  # the bot's own store, from the settings: no --db
        monkeypatch.setenv("CITEBOT_FEEDBACK_DSN", store.dsn)
        monkeypatch.setenv("CITEBOT_FEEDBACK_KEY_FILE", str(store.key_file))
    else:
        monkeypatch.setenv("CITEBOT_FEEDBACK_DB", str(store.path))
    run = CliRunner().invoke
    result = run(feedback_app, ["gaps"])
    assert result.exit_code == 0 and result.output.startswith("# Questions the documents did not answer")
    result = run(feedback_app, ["gaps", "--format", "csv", "--out", str(tmp_path / "gaps.csv")])
    assert result.output.strip() == f"Wrote 6 questions in 4 groups to {tmp_path / 'gaps.csv'}."
    assert (tmp_path / "gaps.csv").read_text().startswith("group,nearest_source")
    assert run(feedback_app, ["gaps", "--format", "pdf"]).exit_code == 2
    assert run(feedback_app, ["gaps", "--since", "May 1"]).exit_code == 2
    result = run(feedback_app, ["export", "--qa", str(tmp_path / "out" / "golden.jsonl")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote 2 questions to {tmp_path / 'out' / 'golden.jsonl'}. Run it with: citebot eval --qa")
    assert len(load_questions(tmp_path / "out" / "golden.jsonl")) == 2
    assert run(feedback_app, ["export", "--qa", "x.jsonl", "--docs", str(tmp_path / "nowhere")]).exit_code == 2


def test_gaps_and_export_of_one_corpus(new_store, tmp_path, monkeypatch):
    s = new_store()
    s.init()
    for answer_id, question, corpus, vote in (
        ("a", "what is the weather tomorrow?", "garden", None),  # abstained
        ("b", "what is the weather on Sunday?", "fire", None),
        ("c", "what is the timeout?", "garden", "up"),
        ("d", "When did the fire start?", "fire", "up"),
    ):
        s.save_answer(answer_id * 32, fake_answer(question), extra={"corpus": corpus})
        if vote:
            s.record_vote(answer_id * 32, 9, vote)
    asked = lambda groups: sorted(g.question for group in groups for g in group.gaps)  # noqa: E731
    assert asked(collect(s, corpus="garden")) == ["what is the weather tomorrow?"]
    assert asked(collect(s)) == ["what is the weather on Sunday?", "what is the weather tomorrow?"]
    assert [i["q"] for i in golden_set(s, corpus="fire").items] == ["When did the fire start?"]
    assert [i["q"] for i in golden_set(s, corpus="garden").items] == ["what is the timeout?"]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(feedback_app, ["gaps", "--corpus", "nowhere"])
    assert result.exit_code == 2 and "no corpus 'nowhere' (CITEBOT_CORPORA names: default)" in result.output
