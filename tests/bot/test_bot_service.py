"""bot.service, bot.cooldown and bot.settings without Discord."""

from __future__ import annotations

import asyncio
import threading

import pytest
from botfakes import TOKEN, FakeBuilder, FakeEngine, FakeOpener
from pydantic import ValidationError

from bot.cooldown import UserCooldowns
from bot.errors import ReindexInProgress
from bot.service import CitebotService
from bot.settings import DEFAULT_API_BASE, BotSettings
from index.errors import EmptyQuestion, IndexNotFound, QuestionTooLong


def make_settings(tmp_path, **kw):
    return BotSettings(_env_file=None, discord_token=TOKEN, feedback_db=tmp_path / "fb.sqlite3", **kw)


# ---------------------------------------------------------------- settings


def test_settings_defaults_and_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEBOT_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("CITEBOT_ADMIN_IDS", "12, 34")
    monkeypatch.setenv("CITEBOT_MESSAGE_CONTENT", "true")
    s = BotSettings(_env_file=None)
    assert s.admin_ids == [12, 34] and s.message_content is True
    assert s.discord_api_base == DEFAULT_API_BASE and s.discord_gateway is None
    assert str(s.feedback_db) == ".citebot/feedback.sqlite3"
    assert s.shard_count is None and s.guild_id is None and s.docs_base_url is None
    assert TOKEN not in repr(s) and TOKEN not in str(s.model_dump())
    monkeypatch.setenv("CITEBOT_ADMIN_IDS", "[5, 6]")
    assert BotSettings(_env_file=None).admin_ids == [5, 6]
    monkeypatch.setenv("CITEBOT_ADMIN_IDS", "")
    assert BotSettings(_env_file=None).admin_ids == []


def test_settings_need_a_token(monkeypatch):
    monkeypatch.delenv("CITEBOT_DISCORD_TOKEN", raising=False)
    with pytest.raises(ValidationError) as info:
        BotSettings(_env_file=None)
    assert info.value.errors()[0]["loc"] == ("discord_token",)
    with pytest.raises(ValidationError):
        BotSettings(_env_file=None, discord_token="  ")


# ---------------------------------------------------------------- cooldown


def test_cooldown_window():
    now = [100.0]
    cd = UserCooldowns(2, 10, clock=lambda: now[0])
    assert cd.hit(1) == 0 and cd.hit(1) == 0
    assert cd.hit(1) == pytest.approx(10)
    assert cd.hit(2) == 0  # per user
    now[0] += 4
    assert cd.hit(1) == pytest.approx(6)
    now[0] += 6
    assert cd.hit(1) == 0


# ---------------------------------------------------------------- asking


async def test_ask_runs_off_the_loop_under_the_semaphore(tmp_path):
    engine = FakeEngine(delay=0.05)
    seen_threads = set()
    original = engine.ask

    def ask(question, k=None):
        seen_threads.add(threading.get_ident())
        return original(question, k)

    engine.ask = ask  # type: ignore[method-assign]
    service = CitebotService(make_settings(tmp_path, max_concurrent_asks=3, max_waiting_asks_per_guild=9), engine)
    await service.start()
    answers = await asyncio.gather(*(service.ask(f"question {i}?") for i in range(12)))
    assert [a.question for a in answers] == [f"question {i}?" for i in range(12)]
    assert threading.get_ident() not in seen_threads
    assert engine.max_active <= 3


async def test_questions_are_checked(tmp_path):
    service = CitebotService(make_settings(tmp_path, max_question_chars=20), FakeEngine())
    await service.start()
    with pytest.raises(EmptyQuestion):
        await service.ask("   ")
    with pytest.raises(QuestionTooLong, match="21 characters long; the limit is 20"):
        await service.ask("x" * 21)
    assert service.check_question("  hi  ") == "hi"


async def test_missing_index_is_reported_not_fatal(tmp_path):
    def opener(settings, embedder):
        raise IndexNotFound(tmp_path / "index")

    service = CitebotService(make_settings(tmp_path), None, opener=opener)
    await service.start()
    assert service.info is None and "no index at" in service.problem
    with pytest.raises(IndexNotFound):
        await service.ask("anything?")


async def test_remember_recall_vote(tmp_path):
    service = CitebotService(make_settings(tmp_path), FakeEngine())
    await service.start()
    answer = await service.ask("When did the fire start?")
    answer_id = await service.remember(answer)
    assert len(answer_id) == 32
    assert (await service.recall(answer_id)).answer == answer
    await service.vote(answer_id, 7, "down")
    from bot.errors import AnswerExpired

    with pytest.raises(AnswerExpired):
        await service.vote("0" * 32, 7, "down")


# ---------------------------------------------------------------- reindexing


async def test_reindex_swaps_engine_and_reuses_embedder(tmp_path):
    old = FakeEngine()
    builder, opener = FakeBuilder(), FakeOpener()
    service = CitebotService(make_settings(tmp_path), old, builder=builder, opener=opener)
    await service.start()
    builder.gate.clear()
    task = service.start_reindex()
    await asyncio.sleep(0.05)
    assert service.reindexing
    with pytest.raises(ReindexInProgress):  # refused, not queued
        service.start_reindex()
    await service.ask("still answering?")  # the old engine keeps serving meanwhile
    assert old.questions == ["still answering?"]
    builder.gate.set()
    result = await asyncio.wait_for(task, 5)
    assert (result.documents, result.chunks, result.skipped) == (4, 57, 0)
    assert builder.calls == [old.embedder] and opener.calls == [old.embedder]
    assert service.engine is opener.engines[0] and service.info.chunks == 57
    assert not service.reindexing
    await service.ask("new engine?")
    assert opener.engines[0].questions == ["new engine?"]
    assert len(builder.calls) == 1


async def test_failed_reindex_keeps_the_old_engine(tmp_path):
    old = FakeEngine()

    def builder(settings, embedder):
        raise RuntimeError("disk full")

    service = CitebotService(make_settings(tmp_path), old, builder=builder, opener=FakeOpener())
    with pytest.raises(RuntimeError):
        await service.start_reindex()
    assert service.engine is old and not service.reindexing


def test_a_refusal_is_told_once_per_window():
    now = [0.0]
    cd = UserCooldowns(1, 10, clock=lambda: now[0])
    assert cd.hit(1) == 0
    wait = cd.hit(1)
    assert wait == pytest.approx(10) and cd.first_refusal(1, wait)
    now[0] += 3
    assert not cd.first_refusal(1, cd.hit(1))  # same window: quiet
    assert cd.first_refusal(2, 5)  # another user is told
    now[0] += 7
    assert cd.hit(1) == 0  # a new window
    assert cd.first_refusal(1, cd.hit(1))


async def test_retention_is_applied_at_start_and_periodically(tmp_path, monkeypatch):
    import bot.service as service_module

    settings = make_settings(tmp_path, feedback_retention_days=1)
    service = CitebotService(settings, FakeEngine())
    await service.start()
    answer_id = await service.remember(await service.ask("When did the fire start?"))
    with service.store.connect() as conn:  # make it two days old
        conn.execute("UPDATE answers SET created_at = '2000-01-01T00:00:00+00:00' WHERE answer_id = ?", (answer_id,))
    await service.close()
    monkeypatch.setattr(service_module, "PURGE_EVERY", 0.05)
    await service.start()  # the purge at start
    assert service.store.load_answer(answer_id) is None
    answer_id = await service.remember(await service.ask("When did the fire start?"))
    with service.store.connect() as conn:
        conn.execute("UPDATE answers SET created_at = '2000-01-01T00:00:00+00:00' WHERE answer_id = ?", (answer_id,))
    await asyncio.sleep(0.3)  # the periodic one
    assert service.store.load_answer(answer_id) is None
    await service.close()
