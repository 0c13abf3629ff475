"""End to end against Discord's own limits (issue 14.12 and 14.14): what Discord would refuse, the
fake refuses, and the bot stays within it."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace

import pytest
from botfakes import (
    CJK_PATH,
    EPHEMERAL,
    FOLLOWUP,
    ORIGINAL,
    FakeEngine,
    bot_settings,
    callback_of,
    original_of,
)
from fake_discord import BOT_PERMISSIONS, CHANNEL_ID, FakeDiscord

from bot.exts.admin import PUBLIC_FAILURE
from bot.service import CitebotService
from index.errors import DocsNotFound

ADD_REACTIONS = 1 << 6


async def test_long_non_ascii_paths_with_links_are_accepted(start_bot, fake_discord):
    await start_bot(docs_base_url="https://github.com/you/docs/blob/main/")
    interaction = await fake_discord.slash("ask", question="cjk: when did they arrive?")
    original = await original_of(fake_discord, interaction)
    patch = fake_discord.find("PATCH", ORIGINAL.format(token=interaction["token"]))[0]
    assert patch.status == 200, patch.problems  # was a 400: 4,000+ characters of description
    assert "line 2" in original["embeds"][0]["description"] and len(CJK_PATH) == 185


async def test_a_rate_limited_answer_is_retried_and_delivered(start_bot, fake_discord):
    await start_bot()
    fake_discord.expect_refusals = True
    fake_discord.rate_limit("PATCH", r"/messages/@original$", retry_after=0.3)
    interaction = await fake_discord.slash("ask", question="When did the fire start?")
    patches = await fake_discord.wait_for("PATCH", ORIGINAL.format(token=interaction["token"]), count=2)
    assert [p.status for p in patches] == [429, 200]
    assert patches[1].at - patches[0].at >= 0.3  # waited retry_after


# ---------------------------------------------------------------- cooldown on mentions


async def mentions(fake, n):
    me = fake.bot_user["id"]
    return [await fake.post_message(f"<@{me}> when did the fire start? ({i})") for i in range(n)]


async def test_cooldown_on_mentions_replies_once_then_reacts(start_bot, fake_discord):
    await start_bot(message_content=True, cooldown_rate=1, cooldown_seconds=60)
    posted = await mentions(fake_discord, 4)
    await fake_discord.wait_for("PUT", r"/reactions/", count=2)
    await asyncio.sleep(0.2)
    replies = fake_discord.bot_messages(CHANNEL_ID)
    assert len(replies) == 2  # the answer, then one "please wait": not one per message
    assert sorted(bool(r["embeds"]) for r in replies) == [False, True]
    assert "wait" in next(r["content"] for r in replies if not r["embeds"])
    assert fake_discord.reactions == [(posted[2]["id"], "⏳"), (posted[3]["id"], "⏳")]


@pytest.mark.parametrize("fake_options", [{"bot_permissions": BOT_PERMISSIONS & ~ADD_REACTIONS}])
async def test_cooldown_without_add_reactions_stays_silent(start_bot, fake_discord):
    await start_bot(message_content=True, cooldown_rate=1, cooldown_seconds=60)
    await mentions(fake_discord, 4)
    await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$", count=2)
    await asyncio.sleep(0.4)
    assert len(fake_discord.bot_messages(CHANNEL_ID)) == 2
    assert not fake_discord.find("PUT", r"/reactions/")  # not even tried: it would be a 403


# ---------------------------------------------------------------- /reindex reports


class GatedBuilder:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.gate = threading.Event()

    def __call__(self, settings, embedder):
        self.gate.wait(10)
        if self.error is not None:
            raise self.error
        return SimpleNamespace(documents=4, chunks=57, skipped=[])


async def start_with_builder(start_bot, fake, tmp_path, builder, fake_opener):
    settings = bot_settings(fake, tmp_path)
    service = CitebotService(settings, FakeEngine(), builder=builder, opener=fake_opener)
    return await start_bot(service=service)


async def test_a_failed_reindex_tells_its_reason_only_to_the_admin(start_bot, fake_discord, tmp_path, fake_opener):
    builder = GatedBuilder(DocsNotFound("/srv/citebot/private-docs"))
    builder.gate.set()
    await start_with_builder(start_bot, fake_discord, tmp_path, builder, fake_opener)
    interaction = await fake_discord.slash("reindex", admin=True)
    private = (await fake_discord.wait_for("POST", FOLLOWUP.format(token=interaction["token"])))[0].json
    assert private["flags"] & EPHEMERAL and "/srv/citebot/private-docs" in private["content"]
    await fake_discord.wait_for("PATCH", ORIGINAL.format(token=interaction["token"]))
    public = fake_discord.channel_messages(CHANNEL_ID)
    assert public and all("/srv" not in m["content"] for m in public)
    assert public[-1]["content"] == PUBLIC_FAILURE


async def test_reindex_news_after_the_token_expired_go_to_the_channel_and_dms(
    start_bot, fake_discord, tmp_path, fake_opener
):
    builder = GatedBuilder()
    await start_with_builder(start_bot, fake_discord, tmp_path, builder, fake_opener)
    fake_discord.expect_refusals = True
    interaction = await fake_discord.slash("reindex", admin=True)
    await callback_of(fake_discord, interaction)
    fake_discord.age_interaction(interaction, 15 * 60 + 1)  # a rebuild that took more than 15 minutes
    builder.gate.set()
    sent = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$"))[0].json
    assert sent["content"].startswith("Reindexed 4 documents") and sent["allowed_mentions"]["parse"] == []
    assert [(r.status, r.error_code) for r in fake_discord.refused()] == [(401, 50027)]

    builder.error, builder.gate = DocsNotFound("/srv/x"), threading.Event()
    interaction = await fake_discord.slash("reindex", admin=True)
    await callback_of(fake_discord, interaction)
    fake_discord.age_interaction(interaction, 15 * 60 + 1)
    builder.gate.set()
    await fake_discord.wait_for("POST", r"^/users/@me/channels$")
    dm = fake_discord.dm_of[int(interaction["member"]["user"]["id"])]
    private = (await fake_discord.wait_for("POST", rf"^/channels/{dm}/messages$"))[0].json
    assert "/srv/x" in private["content"]
    assert all("/srv" not in m["content"] for m in fake_discord.channel_messages(CHANNEL_ID))


# ---------------------------------------------------------------- back-pressure (issue 14.14)


@pytest.mark.parametrize("fake_options", [{"token_lifetime": 2.5}])
async def test_a_burst_beyond_the_queue_is_answered_busy_at_once(start_bot, fake_discord: FakeDiscord):
    """With a 2.5 s token (a stand-in for 15 minutes), 10 questions of 0.4 s each on one worker would
    finish after 4 s: the last answers would be refused. Bounded, 3 are answered in time and 7 are
    told 'busy' at once."""
    engine = FakeEngine(delay=0.4)
    await start_bot(engine, max_concurrent_asks=1, max_waiting_asks=2, max_waiting_asks_per_guild=2)
    began = time.monotonic()
    interactions = await asyncio.gather(*(fake_discord.slash("ask", question=f"fire #{i}?") for i in range(10)))
    callbacks = [await callback_of(fake_discord, i) for i in interactions]
    busy = [c for c in callbacks if c["type"] == 4]
    assert len(busy) == 7 and len([c for c in callbacks if c["type"] == 5]) == 3
    assert all(c["data"]["flags"] & EPHEMERAL and "busy" in c["data"]["content"] for c in busy)
    assert max(r.at for r in fake_discord.find("POST", r"/callback$")) - began < 1.0  # at once
    patches = await fake_discord.wait_for("PATCH", r"/messages/@original$", count=3, timeout=10)
    assert all(p.status == 200 for p in patches) and len(engine.questions) == 3
