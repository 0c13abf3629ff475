"""The bot with the REAL engine over the seed corpus (built into tmp_path), against the fake Discord."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from botfakes import FOLLOWUP, ask, bot_settings, custom_ids
from fake_discord import FakeDiscord

from bot.feedback import FeedbackStore
from bot.formatting import escape
from bot.service import CitebotService

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.model
async def test_real_engine_answers_and_reindexes(start_bot, fake_discord: FakeDiscord, tmp_path, real_embedder):
    from index.ingest.builder import build_index
    from index.query.engine import Engine

    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    settings = bot_settings(fake_discord, tmp_path)
    await asyncio.to_thread(build_index, settings, embedder=real_embedder)
    engine = await asyncio.to_thread(Engine.open, settings, embedder=real_embedder)
    await start_bot(service=CitebotService(settings, engine))  # the real build_index / Engine.open for /reindex

    callback, original = await ask(fake_discord, "who praised him?")
    assert callback["type"] == 5
    description = original["embeds"][0]["description"]
    answer_id = custom_ids(original)[0].rsplit(":", 1)[1]
    answer = FeedbackStore(settings.feedback_db).load_answer(answer_id)
    assert answer is not None and not answer.abstained and answer.citations
    texts = {p.name: p.read_text(encoding="utf-8") for p in docs.iterdir()}
    for c in answer.citations:
        assert texts[c.source][c.char_start : c.char_end] == c.quote  # verbatim
        # a quote over adjacent paragraphs is shown as one block quote: each of its lines is there, escaped
        for part in filter(None, (line.strip() for line in c.quote.split("\n"))):
            assert escape(part) in description
        where = f"lines {c.line}–{c.end_line}" if c.end_line and c.end_line > c.line else f"line {c.line}"
        assert f"**{c.source}**, {where}" in description
    assert "Féraud" in description or "Valet" in description

    (docs / "extra.txt").write_text("The caretaker received a medal from the mayor in June.\n", encoding="utf-8")
    interaction = await fake_discord.slash("reindex", admin=True)
    followup = (await fake_discord.wait_for("POST", FOLLOWUP.format(token=interaction["token"]), timeout=120))[0]
    assert followup.json["content"].startswith("Reindexed 2 documents"), followup.json
    _, original = await ask(fake_discord, "Who gave the caretaker a medal?")
    assert "the mayor" in original["embeds"][0]["description"]


@pytest.mark.model
async def test_upvoted_answers_become_a_golden_set_the_eval_runs(start_bot, fake_discord: FakeDiscord, tmp_path,
                                                                  real_embedder):
    """The loop of issue 11 §4 with the real engine: answers in Discord, 👍 votes, export, eval."""
    from botfakes import button
    from typer.testing import CliRunner

    from bot.feedback.cli import feedback_app
    from index.evaluation.qa import load_questions, run_qa
    from index.ingest.builder import build_index
    from index.query.engine import Engine

    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    settings = bot_settings(fake_discord, tmp_path)
    await asyncio.to_thread(build_index, settings, embedder=real_embedder)
    engine = await asyncio.to_thread(Engine.open, settings, embedder=real_embedder)
    await start_bot(service=CitebotService(settings, engine))
    for question in ("who praised him?", "how old is the caretaker?"):
        _, original = await ask(fake_discord, question)
        click = await fake_discord.click(button(original, "citebot:vote:up:"), original)
        await fake_discord.wait_for("POST", rf"/interactions/{click['id']}/")
    golden = tmp_path / "golden.jsonl"
    result = CliRunner().invoke(
        feedback_app, ["export", "--qa", str(golden), "--db", str(settings.feedback_db), "--docs", str(docs)]
    )
    assert result.exit_code == 0 and result.output.startswith("Wrote 2 questions"), result.output
    questions = load_questions(golden)
    scored = await asyncio.to_thread(run_qa, engine, questions)
    assert scored["metrics"]["answer@1"] == 1.0  # what people liked, the same engine answers again
