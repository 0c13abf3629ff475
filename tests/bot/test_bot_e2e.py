"""End to end: the real discord.py client against the loopback fake Discord, with a fake engine.

Every assertion is on the HTTP requests the bot made (recorded by the fake).
"""

from __future__ import annotations

import asyncio
import logging
import time

from botfakes import (
    EPHEMERAL,
    FIRE_QUOTE,
    FOLLOWUP,
    MESSAGE_CONTENT_INTENT,
    TOKEN,
    FakeEngine,
    ask,
    callback_of,
    custom_ids,
    embed_within_limits,
)
from fake_discord import ADMIN_ID, CHANNEL_ID, DM_CHANNEL_ID, GUILD_ID, MEMBER_ID

from bot.client import CitebotBot, ShardedCitebotBot
from bot.feedback import downvoted_questions
from bot.formatting import ZWSP
from index.errors import IndexNotFound
from index.query.answer import Answer

# ---------------------------------------------------------------- connecting


async def test_connects_and_syncs_commands(start_bot, fake_discord):
    bot = await start_bot()
    assert isinstance(bot, CitebotBot)
    assert fake_discord.find("GET", r"^/users/@me$")
    assert fake_discord.find("GET", r"^(/oauth2)?/applications/@me$")
    puts = fake_discord.find("PUT", rf"^/applications/\d+/guilds/{GUILD_ID}/commands$")
    assert puts, fake_discord.requests
    assert {(c["name"], c.get("type", 1)) for c in puts[-1].json} == {
        ("ask", 1), ("reindex", 1), ("status", 1), ("Ask citebot", 3),  # 3: a message context-menu command
    }
    ask_cmd = next(c for c in puts[-1].json if c["name"] == "ask")
    options = {o["name"]: o for o in ask_cmd["options"]}
    assert options["question"]["required"] and options["question"]["type"] == 3
    assert options["private"]["type"] == 5 and not options["private"].get("required")
    assert options["source"]["autocomplete"] and not options["source"].get("required")
    assert bot.get_guild(GUILD_ID) is not None
    assert fake_discord.identifies[0]["token"] == TOKEN
    assert not fake_discord.identifies[0]["intents"] & MESSAGE_CONTENT_INTENT  # not requested by default
    assert fake_discord.gateway_queries[0]["v"] == "10"
    assert fake_discord.gateway_queries[0].get("compress") in ("zlib-stream", "zstd-stream")
    assert fake_discord.heartbeats


async def test_features_are_extensions_loaded_by_walking_the_package(start_bot):
    from bot.extensions import walk_extensions

    bot = await start_bot()
    names = list(walk_extensions())
    assert names == ["bot.exts.admin", "bot.exts.ask", "bot.exts.buttons", "bot.exts.menu", "bot.exts.messages"]
    assert set(bot.extensions) == set(names)  # every one loaded, nothing listed by hand
    assert bot.service.settings is bot.settings


async def test_a_question_is_checked_once(start_bot, fake_discord):
    bot = await start_bot()
    calls = []
    check = bot.service.check_question
    bot.service.check_question = lambda q: calls.append(q) or check(q)  # type: ignore[method-assign]
    await ask(fake_discord, "When did the fire start?")
    await fake_discord.post_message(f"<@{fake_discord.bot_user['id']}> when did the fire start?")
    await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert calls == ["When did the fire start?", "when did the fire start?"]


async def test_resumes_after_reconnect_request(start_bot, fake_discord):
    await start_bot()
    await fake_discord.request_reconnect()
    deadline = asyncio.get_running_loop().time() + 10
    while not fake_discord.resumes:
        assert asyncio.get_running_loop().time() < deadline, "no RESUME after op 7"
        await asyncio.sleep(0.05)
    assert fake_discord.resumes[0]["session_id"] == "fake-session" and fake_discord.resumes[0]["token"] == TOKEN
    assert len(fake_discord.gateway_queries) == 2 and len(fake_discord.identifies) == 1
    callback, original = await ask(fake_discord, "When did the fire start?")
    assert callback["type"] == 5 and FIRE_QUOTE in original["embeds"][0]["description"]


async def test_global_sync_without_guild_id(start_bot, fake_discord):
    await start_bot(guild_id=None)
    puts = fake_discord.find("PUT", r"^/applications/\d+/commands$")
    assert puts and {c["name"] for c in puts[-1].json} == {"ask", "reindex", "status", "Ask citebot"}
    assert not fake_discord.find("PUT", r"/guilds/")
    menu = next(c for c in puts[-1].json if c["name"] == "Ask citebot")
    assert menu["integration_types"] == [0, 1]  # guild install and user install
    assert sorted(menu["contexts"]) == [0, 1, 2]  # servers, DMs with the bot, group DMs


async def test_sharded_bot(start_bot, fake_discord):
    bot = await start_bot(shard_count=1)
    assert isinstance(bot, ShardedCitebotBot)
    assert fake_discord.identifies[0]["shard"] == [0, 1]
    callback, original = await ask(fake_discord, "When did the fire start?")
    assert callback["type"] == 5 and FIRE_QUOTE in original["embeds"][0]["description"]


async def test_a_replica_runs_its_own_shards(start_bot, fake_discord):
    shard = (GUILD_ID >> 22) % 2  # the shard Discord sends this server's events to
    bot = await start_bot(shard_count=2, shard_ids=str(shard))
    assert [i["shard"] for i in fake_discord.identifies] == [[shard, 2]]  # only its own
    assert bot.get_guild(GUILD_ID) is not None
    callback, original = await ask(fake_discord, "When did the fire start?")
    assert callback["type"] == 5 and FIRE_QUOTE in original["embeds"][0]["description"]


def test_shard_ids_need_a_count_and_fit_in_it(tmp_path):
    from pydantic import ValidationError

    from bot.settings import BotSettings, invalid_setting

    for values, line in (
        ({"shard_ids": "0"}, "invalid settings: CITEBOT_SHARD_IDS needs CITEBOT_SHARD_COUNT"),
        ({"shard_ids": "0,2", "shard_count": 2}, "invalid settings: CITEBOT_SHARD_IDS: every id is below "
                                                 "CITEBOT_SHARD_COUNT (2)"),
    ):
        try:
            BotSettings(_env_file=None, discord_token=TOKEN, **values)
        except ValidationError as exc:
            assert invalid_setting(exc) == line
        else:
            raise AssertionError(f"{values} accepted")


# ---------------------------------------------------------------- /ask


async def test_ask_defers_then_edits_with_quote(start_bot, fake_discord):
    await start_bot()
    callback, original = await ask(fake_discord, "When did the fire start?")
    assert callback["type"] == 5  # deferred, public
    assert not (callback.get("data") or {}).get("flags", 0) & EPHEMERAL
    embed = original["embeds"][0]
    assert embed["title"] == "When did the fire start?"
    assert f"> {FIRE_QUOTE}" in embed["description"]
    assert "**fire.txt**, line 2" in embed["description"]
    assert original["allowed_mentions"]["parse"] == []
    answer_id = custom_ids(original)[0].rsplit(":", 1)[1]
    assert custom_ids(original) == [  # one quote, no further candidates: no "Next match"
        f"citebot:src:{answer_id}", f"citebot:ctx:{answer_id}", f"citebot:vote:up:{answer_id}",
        f"citebot:vote:down:{answer_id}",
    ]


async def test_ask_links_to_docs_when_base_url_set(start_bot, fake_discord):
    await start_bot(docs_base_url="https://git.example/docs/")
    _, original = await ask(fake_discord, "When did the fire start?")
    assert "[fire.txt, line 2](https://git.example/docs/fire.txt#L2)" in original["embeds"][0]["description"]


async def test_everyone_in_a_document_pings_nobody(start_bot, fake_discord):
    await start_bot(message_content=True)
    _, original = await ask(fake_discord, "who must tell everyone?")
    assert original["allowed_mentions"]["parse"] == []
    description = original["embeds"][0]["description"]
    assert "@everyone" not in description and "@" + ZWSP + "everyone" in description
    assert "<@1" not in description and "http://" not in description
    await fake_discord.post_message(f"<@{fake_discord.bot_user['id']}> who must tell everyone?")
    reply = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$"))[0].json
    assert reply["allowed_mentions"]["parse"] == [] and reply["allowed_mentions"]["replied_user"] is False
    assert "@everyone" not in reply["embeds"][0]["description"]


async def test_abstention(start_bot, fake_discord):
    await start_bot()
    _, original = await ask(fake_discord, "what is the weather tomorrow?")
    embed = original["embeds"][0]
    assert "do not answer" in embed["description"]
    assert [f["name"] for f in embed["fields"]][0] == "1. fire.txt, line 3"


async def test_over_long_answer_stays_within_limits(start_bot, fake_discord):
    await start_bot()
    _, original = await ask(fake_discord, "give me the long report " * 20)
    embed = original["embeds"][0]
    embed_within_limits(embed)
    assert embed["description"].count(" …") == 3


async def test_question_over_the_cap_is_refused_politely(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, max_question_chars=50)
    interaction = await fake_discord.slash("ask", question="why " * 30)
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "the limit is 50" in callback["data"]["content"]
    assert engine.questions == []


async def test_cooldown_is_per_user_and_friendly(start_bot, fake_discord):
    await start_bot(cooldown_rate=1, cooldown_seconds=60)
    first, _ = await ask(fake_discord, "When did the fire start?")
    assert first["type"] == 5
    interaction = await fake_discord.slash("ask", question="And then?")
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "wait" in callback["data"]["content"] and callback["data"]["allowed_mentions"]["parse"] == []
    other, _ = await ask(fake_discord, "When did the fire start?", user_id=ADMIN_ID, admin=True)
    assert other["type"] == 5  # another user is not limited


async def test_twenty_concurrent_asks_all_answered_and_heartbeats_flow(start_bot, fake_discord):
    engine = FakeEngine(delay=0.3)
    await start_bot(engine, max_concurrent_asks=4, max_waiting_asks=16, max_waiting_asks_per_guild=16)
    beats_before = len(fake_discord.heartbeats)
    started = time.monotonic()
    interactions = await asyncio.gather(
        *(fake_discord.slash("ask", question=f"When did the fire start? #{i}") for i in range(20))
    )
    patches = await fake_discord.wait_for("PATCH", r"/messages/@original$", count=20, timeout=30)
    elapsed = time.monotonic() - started
    assert len(patches) == 20
    tokens = {p.path.split("/")[3] for p in patches}
    assert tokens == {i["token"] for i in interactions}
    callbacks = fake_discord.find("POST", r"/callback$")
    assert len(callbacks) == 20 and all(c.json["type"] == 5 for c in callbacks)
    # every deferral came long before the slow answers: the loop was never blocked
    first_patch = min(p.at for p in patches)
    assert max(c.at for c in callbacks) < first_patch
    assert engine.max_active <= 4
    assert elapsed >= 0.3 * 20 / 4 * 0.9
    # heartbeats kept flowing (every 0.25 s) while the engine worked
    beats_during = [t for t in fake_discord.heartbeats if started <= t <= started + elapsed]
    assert len(fake_discord.heartbeats) > beats_before and len(beats_during) >= int(elapsed / 0.25) - 2
    assert bot_latency_ok(fake_discord)


def bot_latency_ok(fake) -> bool:
    gaps = [b - a for a, b in zip(fake.heartbeats, fake.heartbeats[1:], strict=False)]
    return max(gaps) < 1.0


# ---------------------------------------------------------------- buttons


async def test_sources_button_and_votes_survive_a_restart(start_bot, fake_discord, tmp_path):
    bot = await start_bot()
    _, original = await ask(fake_discord, "When did the fire start?")
    sources_id, _, up_id, down_id = custom_ids(original)

    click = await fake_discord.click(sources_id, original)
    callback = await callback_of(fake_discord, click)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    fields = callback["data"]["embeds"][0]["fields"]
    assert fields[0]["name"].startswith("1. fire.txt, line 2") and FIRE_QUOTE in fields[0]["value"]

    # restart: a brand-new bot process state on the same feedback database
    await bot.close()
    await start_bot()
    click = await fake_discord.click(sources_id, original)
    callback = await callback_of(fake_discord, click)
    assert callback["type"] == 4 and FIRE_QUOTE in callback["data"]["embeds"][0]["fields"][0]["value"]

    click = await fake_discord.click(down_id, original, user_id=MEMBER_ID)
    callback = await callback_of(fake_discord, click)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "Thanks" in callback["data"]["content"]
    assert downvoted_questions(tmp_path / "feedback.sqlite3") == ["When did the fire start?"]

    click = await fake_discord.click(up_id, original, user_id=MEMBER_ID)  # changes the vote
    await callback_of(fake_discord, click)
    assert downvoted_questions(tmp_path / "feedback.sqlite3") == []


async def test_sources_show_pdf_pages_after_the_round_trip(start_bot, fake_discord):
    await start_bot()
    _, original = await ask(fake_discord, "what does the pdf say?")
    assert "**manual.pdf**, line 2, page 3" in original["embeds"][0]["description"]
    click = await fake_discord.click(custom_ids(original)[0], original)
    fields = (await callback_of(fake_discord, click))["data"]["embeds"][0]["fields"]
    assert fields[0]["name"].startswith("1. manual.pdf, line 2, page 3")  # the stored answer kept its page


async def test_unknown_answer_button_answers_politely(start_bot, fake_discord):
    await start_bot()
    custom_id = "citebot:src:" + "f" * 32
    message = {"components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Sources", "custom_id": custom_id}]}]}
    click = await fake_discord.click(custom_id, message)
    callback = await callback_of(fake_discord, click)
    assert callback["data"]["flags"] & EPHEMERAL and "no longer stored" in callback["data"]["content"]


# ---------------------------------------------------------------- mentions and DMs


async def test_mention_gets_a_reply(start_bot, fake_discord):
    await start_bot(message_content=True)
    assert fake_discord.identifies[0]["intents"] & MESSAGE_CONTENT_INTENT
    msg = await fake_discord.post_message(f"<@{fake_discord.bot_user['id']}> when did the fire start?")
    reply = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$"))[0].json
    assert str(reply["message_reference"]["message_id"]) == msg["id"]
    assert FIRE_QUOTE in reply["embeds"][0]["description"]
    assert reply["embeds"][0]["title"] == "when did the fire start?"
    assert custom_ids(reply)[0].startswith("citebot:src:")


async def test_direct_message_gets_a_reply(start_bot, fake_discord):
    await start_bot(message_content=True)
    await fake_discord.post_message("when did the fire start?", mention_bot=False, dm=True)
    reply = (await fake_discord.wait_for("POST", rf"^/channels/{DM_CHANNEL_ID}/messages$"))[0].json
    assert FIRE_QUOTE in reply["embeds"][0]["description"]


async def test_mention_edge_cases(start_bot, fake_discord, caplog):
    caplog.set_level(logging.ERROR, logger="citebot")
    engine = BrokenEngine(RuntimeError("kaboom"))
    await start_bot(engine, message_content=True)
    me = fake_discord.bot_user["id"]
    await fake_discord.post_message("thanks!", mention_bot=True)  # a reply pinging the bot, no explicit <@bot>
    await fake_discord.post_message(f"<@{me}>")  # nothing asked
    hint = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$"))[0].json
    assert "Ask me something" in hint["content"]
    await fake_discord.post_message(f"<@!{me}> when did the fire start?")  # engine fails: apology, logged
    replies = await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$", count=2)
    assert replies[1].json["content"].startswith("Sorry, something went wrong")
    assert replies[1].json["allowed_mentions"]["parse"] == []
    await asyncio.sleep(0.2)
    assert len(fake_discord.find("POST", r"/channels/\d+/messages$")) == 2
    assert "Unexpected error in message" in caplog.text


async def test_mention_reply_and_dm_answered_with_default_intents(start_bot, fake_discord):
    """A fresh invite: no privileged intent asked for, and mentions, replies to the bot and DMs are
    answered (the fake, like Discord, blanks the content of every other message)."""
    engine = FakeEngine()
    await start_bot(engine)
    assert not fake_discord.identifies[0]["intents"] & MESSAGE_CONTENT_INTENT
    me = fake_discord.bot_user["id"]
    await fake_discord.post_message(f"<@{me}> when did the fire start?")
    await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    stored = fake_discord.bot_messages(CHANNEL_ID)[0]
    await fake_discord.post_message("and who answered the call?", mention_bot=False, reply_to=stored)
    await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$", count=2)
    await fake_discord.post_message("when did the fire start?", mention_bot=False, dm=True)
    dm = fake_discord.dm_channel(MEMBER_ID)
    await fake_discord.wait_for("POST", rf"^/channels/{dm}/messages$")
    await fake_discord.post_message("just chatting about fire", mention_bot=False)  # content blanked
    await fake_discord.post_message("thanks!", mention_bot=False, reply_to=stored)  # chatter, not a question
    await asyncio.sleep(0.3)
    assert engine.questions == [
        "when did the fire start?",
        "when did the fire start? and who answered the call?",  # a follow-up, asked with its question
        "when did the fire start?",
    ]
    assert len(fake_discord.bot_messages(CHANNEL_ID)) == 2


async def test_channel_message_without_mention_is_ignored(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, message_content=True)
    await fake_discord.post_message("just chatting about fire", mention_bot=False)
    await asyncio.sleep(0.3)
    assert not fake_discord.find("POST", r"/channels/\d+/messages$") and engine.questions == []


# ---------------------------------------------------------------- /reindex and /status


async def test_reindex_refused_for_a_plain_member(start_bot, fake_discord, fake_builder):
    await start_bot()
    interaction = await fake_discord.slash("reindex")
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in callback["data"]["content"]
    assert fake_builder.calls == []


async def test_reindex_by_admin_swaps_the_engine(start_bot, fake_discord, fake_builder, fake_opener):
    engine = FakeEngine()
    await start_bot(engine)
    interaction = await fake_discord.slash("reindex", admin=True)
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and not callback["data"].get("flags", 0) & EPHEMERAL
    followup = (await fake_discord.wait_for("POST", FOLLOWUP.format(token=interaction["token"])))[0].json
    assert followup["content"].startswith("Reindexed 4 documents (57 chunks) in ")
    assert followup["allowed_mentions"]["parse"] == []
    assert fake_builder.calls == [engine.embedder] and fake_opener.calls == [engine.embedder]

    interaction = await fake_discord.slash("status")
    callback = await callback_of(fake_discord, interaction)
    fields = {f["name"]: f["value"] for f in callback["data"]["embeds"][0]["fields"]}
    assert fields["Documents"] == "4" and fields["Chunks"] == "57"
    await ask(fake_discord, "When did the fire start?")
    assert fake_opener.engines[0].questions == ["When did the fire start?"] and engine.questions == []


async def test_reindex_allowed_for_admin_ids(start_bot, fake_discord, fake_builder):
    await start_bot(admin_ids=[MEMBER_ID])
    interaction = await fake_discord.slash("reindex")  # plain member, but listed
    await fake_discord.wait_for("POST", FOLLOWUP.format(token=interaction["token"]))
    assert len(fake_builder.calls) == 1


async def test_second_reindex_is_refused_not_queued(start_bot, fake_discord, fake_builder):
    await start_bot()
    fake_builder.gate.clear()
    first = await fake_discord.slash("reindex", admin=True)
    await callback_of(fake_discord, first)
    second = await fake_discord.slash("reindex", admin=True)
    callback = await callback_of(fake_discord, second)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "already running" in callback["data"]["content"]
    fake_builder.gate.set()
    await fake_discord.wait_for("POST", FOLLOWUP.format(token=first["token"]))
    await asyncio.sleep(0.1)
    assert len(fake_builder.calls) == 1


async def test_status(start_bot, fake_discord):
    await start_bot()
    interaction = await fake_discord.slash("status")
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    fields = {f["name"]: f["value"] for f in callback["data"]["embeds"][0]["fields"]}
    assert fields["Documents"] == "3" and fields["Chunks"] == "42"
    assert fields["Built at"].startswith("<t:1714564800:f>")
    assert "fake-minilm" in fields["Model"] and fields["Uptime"].endswith("s")


# ---------------------------------------------------------------- errors


class BrokenEngine(FakeEngine):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def ask(self, question: str, k: int | None = None) -> Answer:
        raise self.error


async def test_unexpected_error_is_logged_and_apologised(start_bot, fake_discord, caplog):
    caplog.set_level(logging.ERROR, logger="citebot")
    await start_bot(BrokenEngine(RuntimeError("kaboom")))
    callback, original = await ask(fake_discord, "When did the fire start?")
    assert callback["type"] == 5
    assert original["content"].startswith("Sorry, something went wrong")
    assert original["embeds"] == [] and original["allowed_mentions"]["parse"] == []
    assert "Unexpected error in /ask" in caplog.text
    assert "kaboom" in caplog.text and "Traceback" in caplog.text


async def test_citebot_error_becomes_its_one_line_message(start_bot, fake_discord):
    await start_bot(BrokenEngine(IndexNotFound("/srv/index")))
    _, original = await ask(fake_discord, "When did the fire start?")
    assert original["content"] == "no index at /srv/index: build one first with `citebot index build`"


async def test_token_never_logged(start_bot, fake_discord, caplog):
    caplog.set_level(logging.DEBUG)
    await start_bot()
    await ask(fake_discord, "When did the fire start?")
    assert caplog.records and TOKEN not in caplog.text
