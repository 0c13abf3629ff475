"""Several replicas share the feedback store in PostgreSQL (issue 13): answers, votes, claims, threads.

The store's behaviour is tested over both stores elsewhere (``new_store``); here what only a shared
database has: two replicas at once, the key they must share, a database that cannot be reached, and
two real bots on two gateway connections where a click on one replica's answer reaches the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botfakes import (
    TOKEN,
    FakeBuilder,
    FakeEngine,
    FakeOpener,
    ask,
    bot_settings,
    callback_of,
    custom_ids,
    fake_answer,
)
from fake_discord import MEMBER_ID, FakeDiscord

from bot.client import create_bot
from bot.feedback import open_feedback_store
from bot.feedback.postgres import (
    FeedbackDatabaseUnavailable,
    FeedbackKeyMismatch,
    PostgresFeedbackStore,
    redacted,
)
from bot.service import CitebotService
from bot.settings import BotSettings
from bot.threads import ThreadStore


def replica(pg_dsn: str, tmp_path, key_name: str = "shared.key") -> PostgresFeedbackStore:
    store = PostgresFeedbackStore(pg_dsn, key_file=tmp_path / key_name)
    ThreadStore(store)
    store.init()
    return store


def test_two_replicas_share_answers_votes_and_threads(pg_dsn, tmp_path):
    with ThreadPoolExecutor(2) as pool:  # both start at once: the schema is made once
        one, two = pool.map(lambda _: replica(pg_dsn, tmp_path), range(2))
    one.save_answer("a" * 32, fake_answer("When did the fire start?"), asker=5, extra={"corpus": "default"})
    stored = two.load("a" * 32)
    assert stored is not None and stored.answer == fake_answer("When did the fire start?")
    assert stored.asker_hash == one.user_hash(5) == two.user_hash(5)
    assert two.record_vote("a" * 32, 7, "down") and one.record_vote("a" * 32, 7, "up")  # the same user
    assert [(r.vote, r.user_hash) for r in one.feedback()] == [("up", two.user_hash(7))]
    ThreadStore(two).open_thread(99, "answer", owner=5)
    assert not ThreadStore(one).open_thread(99, "answer", owner=5)  # already citebot's, whichever replica
    assert one.forget(5).answers == 1 and two.load("a" * 32) is None


def test_a_claim_is_won_once_across_replicas(pg_dsn, tmp_path):
    stores = [replica(pg_dsn, tmp_path) for _ in range(2)]
    stores[0].save_answer("b" * 32, fake_answer("q?"))
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: stores[i % 2].claim("b" * 32, "helper_pinged"), range(16)))
    assert won.count(True) == 1
    extra = stores[1].update_extra("b" * 32, posted=True)
    assert extra is not None and extra["posted"] is True and "helper_pinged" in extra


def test_a_replica_with_another_key_is_refused(pg_dsn, tmp_path):
    replica(pg_dsn, tmp_path)
    with pytest.raises(FeedbackKeyMismatch) as refused:
        replica(pg_dsn, tmp_path, key_name="other.key")
    message = str(refused.value)
    assert "\n" not in message and "other.key" in message and "CITEBOT_FEEDBACK_KEY_FILE" in message
    assert "password" not in message


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path):
    dsn = "postgresql://citebot:s3cret-pw@127.0.0.1:1/feedback"
    store = PostgresFeedbackStore(dsn, key_file=tmp_path / "k")
    with pytest.raises(FeedbackDatabaseUnavailable) as refused:
        store.init()
    message = str(refused.value)
    assert message.startswith("cannot use the feedback database ") and "\n" not in message
    assert "s3cret-pw" not in message and "s3cret-pw" not in redacted(dsn) and "127.0.0.1" in message


def test_the_settings_pick_the_store(tmp_path):
    base = {"_env_file": None, "discord_token": TOKEN, "feedback_db": tmp_path / "fb.sqlite3"}
    assert open_feedback_store(BotSettings(**base)).dialect == "sqlite"
    store = open_feedback_store(BotSettings(**base, feedback_dsn="dbname=citebot host=db.example"))
    assert store.dialect == "postgres" and store.key_file == tmp_path / "fb.sqlite3.key"
    settings = BotSettings(**base, feedback_dsn="dbname=x", feedback_key_file=str(tmp_path / "k"))
    assert open_feedback_store(settings).key_file == tmp_path / "k"
    assert "dbname=x" not in repr(settings)  # the DSN may hold a password: a secret


@contextlib.asynccontextmanager
async def running_bot(settings: BotSettings, service: CitebotService):
    bot = create_bot(settings, service, guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(TOKEN))
    deadline = time.monotonic() + 15
    try:
        while not bot.is_ready():
            assert not task.done() and time.monotonic() < deadline, "bot B not ready"
            await asyncio.sleep(0.02)
        yield bot
    finally:
        await asyncio.wait_for(bot.close(), 10)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 10)


async def test_a_click_on_one_replicas_answer_works_on_the_other(start_bot, fake_discord, pg_dsn, tmp_path):
    shared = {"feedback_dsn": pg_dsn, "feedback_key_file": str(tmp_path / "feedback.key")}
    bot_a = await start_bot(**shared)
    assert bot_a.service.store.dialect == "postgres"
    _, original = await ask(fake_discord, "When did the fire start?")
    sources_id, _, up_id, _ = custom_ids(original)

    other = await FakeDiscord(heartbeat_interval=0.25).start()  # replica B: its own gateway connection
    try:
        settings_b = bot_settings(other, tmp_path / "b", **shared)
        service_b = CitebotService(settings_b, FakeEngine(), builder=FakeBuilder(), opener=FakeOpener())
        async with running_bot(settings_b, service_b):
            click = await other.click(sources_id, original)  # the message replica A posted
            callback = await callback_of(other, click)
            assert callback["type"] == 4, callback
            assert "The fire started at 3 a.m." in callback["data"]["embeds"][0]["fields"][0]["value"]
            click = await other.click(up_id, original, user_id=MEMBER_ID)
            assert "Thanks" in (await callback_of(other, click))["data"]["content"]
        assert other.refused() == [] and other.unanswered() == []
    finally:
        await other.close()
    votes = await asyncio.to_thread(bot_a.service.store.feedback)  # replica A sees B's vote
    assert [(v.question, v.vote, v.user_hash) for v in votes] == [
        ("When did the fire start?", "up", bot_a.service.store.user_hash(MEMBER_ID))
    ]
