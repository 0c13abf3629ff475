"""End to end, the ways in of issue 12: threads and follow-ups, the three follow-up buttons, the
"Ask citebot" message command, forum posts, the hand-off to a helper, and /ask private: / source:.
The real discord.py client against the fake Discord, with a fake engine."""

from __future__ import annotations

import asyncio
import time

import pytest
from botfakes import (
    CALLBACK,
    EPHEMERAL,
    FIRE_QUOTE,
    ORIGINAL,
    STEPS_DOC,
    FakeEngine,
    SectionedFakeEngine,
    button,
    callback_of,
    custom_ids,
    original_of,
    quotes_of,
)
from fake_discord import (
    ADMIN_ID,
    BOT_PERMISSIONS,
    CHANNEL_ID,
    CREATE_PUBLIC_THREADS,
    FORUM_ID,
    HELPER_ID,
    HELPER_ROLE_ID,
    MANAGE_THREADS,
    MEMBER_ID,
    OWNER_ID,
    QUESTION_TAG_ID,
    READ_HISTORY,
    SOLVED_TAG_ID,
)

TIMEOUT_LINES = [ln for ln in STEPS_DOC.splitlines() if "imeout" in ln and not ln.startswith("#")]


def mention(fake, text: str) -> str:
    return f"<@{fake.bot_user['id']}> {text}"


async def bot_posts(fake, channel_id, count: int = 1, timeout: float = 10.0):
    """The bot's messages in ``channel_id`` (as the fake stored them), once there are ``count``."""
    await fake.wait_for("POST", rf"^/channels/{channel_id}/messages$", count=count, timeout=timeout)
    return fake.bot_messages(channel_id)


# ---------------------------------------------------------------- threads and follow-ups


async def test_a_mention_starts_a_thread_and_follow_ups_are_asked_with_it(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, answer_mode="thread")
    question = await fake_discord.post_message(mention(fake_discord, "what is the timeout?"))
    thread = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages/{question['id']}/threads$"))[0]
    assert thread.json["name"] == "what is the timeout?" and thread.status == 200
    first = (await bot_posts(fake_discord, question["id"]))[0]  # the answer, inside the thread
    assert quotes_of(first["embeds"][0]) == TIMEOUT_LINES[:3]
    assert fake_discord.bot_messages(CHANNEL_ID) == []  # nothing posted in the channel itself

    # a follow-up in the thread that mentions the bot: no privileged intent needed
    await fake_discord.post_message(mention(fake_discord, "and the default?"), channel_id=question["id"])
    second = (await bot_posts(fake_discord, question["id"], count=2))[1]
    assert engine.questions[-1] == "what is the timeout? and the default?"  # asked with the conversation
    assert second["embeds"][0]["title"] == "and the default?"
    assert quotes_of(second["embeds"][0]) == TIMEOUT_LINES[3:6]  # the quotes already shown are not repeated
    assert str(second["message_reference"]["channel_id"]) == question["id"]

    # without Message Content, a follow-up that neither mentions nor replies arrives empty: left alone
    await fake_discord.post_message("what about pools?", mention_bot=False, channel_id=question["id"])
    await asyncio.sleep(0.3)
    assert len(engine.questions) == 2


async def test_with_message_content_any_follow_up_in_the_thread_is_answered(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, answer_mode="thread", message_content=True)
    question = await fake_discord.post_message(mention(fake_discord, "what is the timeout?"))
    await bot_posts(fake_discord, question["id"])
    await fake_discord.post_message("does it apply to reads?", mention_bot=False, channel_id=question["id"])
    await fake_discord.post_message("thanks!", mention_bot=False, channel_id=question["id"])  # chatter
    await bot_posts(fake_discord, question["id"], count=2)
    await asyncio.sleep(0.3)
    assert engine.questions == ["what is the timeout?", "what is the timeout? does it apply to reads?"]
    # and the channel, outside the thread, is still only answered when asked
    await fake_discord.post_message("timeouts are hard", mention_bot=False)
    await asyncio.sleep(0.2)
    assert len(engine.questions) == 2


@pytest.mark.parametrize("fake_options", [{"bot_permissions": BOT_PERMISSIONS & ~CREATE_PUBLIC_THREADS}])
async def test_without_thread_permissions_it_replies_in_place(start_bot, fake_discord):
    await start_bot(answer_mode="thread")
    question = await fake_discord.post_message(mention(fake_discord, "when did the fire start?"))
    reply = (await bot_posts(fake_discord, CHANNEL_ID))[0]
    assert str(reply["message_reference"]["message_id"]) == question["id"] and FIRE_QUOTE in reply["embeds"][0]["description"]
    assert not fake_discord.find("POST", r"/threads$")  # not even tried: Discord would answer 403


@pytest.mark.parametrize("fake_options", [{"bot_permissions": BOT_PERMISSIONS & ~READ_HISTORY}])
async def test_without_read_message_history_a_mention_is_answered_in_the_channel(start_bot, fake_discord):
    await start_bot(answer_mode="reply")
    fake_discord.expect_refusals = True
    await fake_discord.post_message(mention(fake_discord, "when did the fire start?"))
    await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$", count=2)
    posted = fake_discord.bot_messages(CHANNEL_ID)
    assert len(posted) == 1 and FIRE_QUOTE in posted[0]["embeds"][0]["description"]
    assert "message_reference" not in posted[0]  # a reply needs the history; a plain message does not
    assert [(r.status, r.error_code) for r in fake_discord.refused()] == [(403, 50013)]


async def test_a_dm_is_answered_in_place_whatever_the_answer_mode(start_bot, fake_discord):
    await start_bot(answer_mode="thread")
    await fake_discord.post_message("when did the fire start?", mention_bot=False, dm=True)
    dm = fake_discord.dm_channel(MEMBER_ID)
    await fake_discord.wait_for("POST", rf"^/channels/{dm}/messages$")
    assert FIRE_QUOTE in fake_discord.bot_messages(dm)[0]["embeds"][0]["description"]
    assert not fake_discord.find("POST", r"/threads$")


async def test_a_message_that_already_has_a_thread_gets_a_reply(start_bot, fake_discord):
    await start_bot(answer_mode="thread", message_content=True)
    fake_discord.expect_refusals = True
    question = await fake_discord.post_message("when did the fire start?", mention_bot=False)
    await fake_discord.user_starts_thread(question)  # someone opened one first; then the bot is mentioned
    await fake_discord._dispatch_message(
        {**question, "content": mention(fake_discord, "when did the fire start?"), "mentions": [fake_discord.bot_user]}
    )
    reply = (await bot_posts(fake_discord, CHANNEL_ID))[0]
    assert FIRE_QUOTE in reply["embeds"][0]["description"]
    assert [(r.status, r.error_code) for r in fake_discord.refused()] == [(400, 160004)]
    # the user's thread is not taken for citebot's: a message in it is not a follow-up
    await fake_discord.post_message("any news?", mention_bot=False, channel_id=question["id"])
    await asyncio.sleep(0.3)
    assert len(fake_discord.bot_messages(CHANNEL_ID)) == 1 and fake_discord.bot_messages(question["id"]) == []


async def test_slash_answers_open_a_thread_too(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, answer_mode="thread")
    interaction = await fake_discord.slash("ask", question="what is the timeout?")
    await original_of(fake_discord, interaction)
    made = (await fake_discord.wait_for("POST", r"^/channels/\d+/messages/\d+/threads$"))[0]
    thread_id = made.path.split("/")[4]
    assert made.json["name"] == "what is the timeout?"
    assert fake_discord.messages[thread_id]["interaction_id"] == interaction["id"]  # on the answer itself
    await fake_discord.post_message(mention(fake_discord, "and zero?"), channel_id=thread_id)
    follow = (await bot_posts(fake_discord, thread_id))[0]
    assert engine.questions[-1] == "what is the timeout? and zero?"
    assert not set(quotes_of(follow["embeds"][0])) & set(TIMEOUT_LINES[:3])


# ---------------------------------------------------------------- the three follow-up buttons


async def test_more_context_whole_section_and_next_match_survive_a_restart(start_bot, fake_discord):
    bot = await start_bot(SectionedFakeEngine())
    _, original = await (lambda i: asyncio.gather(callback_of(fake_discord, i), original_of(fake_discord, i)))(
        await fake_discord.slash("ask", question="what is the timeout?")
    )
    ids = custom_ids(original)
    assert [i.split(":")[1] for i in ids] == ["src", "ctx", "sec", "next", "vote", "vote"]
    await bot.close()
    await start_bot(SectionedFakeEngine())  # a restart: only the custom_ids and the database remain

    click = await fake_discord.click(button(original, "citebot:ctx:"), original)
    callback = await callback_of(fake_discord, click)
    assert callback["data"]["flags"] & EPHEMERAL
    text = callback["data"]["embeds"][0]["description"]
    assert f"**{TIMEOUT_LINES[0]}**" in text  # the quote, in bold, inside its lines
    assert "> The client needs Python 3.11 or newer." in text and "lines 2–8" in text  # ±3 lines, verbatim

    click = await fake_discord.click(button(original, "citebot:sec:"), original)
    section = (await callback_of(fake_discord, click))["data"]["embeds"][0]["description"]
    assert "> \\## Timeouts" in section and "Retries never reset a timeout." in section
    assert "Proxies" not in section and "Install" not in section  # its own heading section only

    click = await fake_discord.click(button(original, "citebot:next:"), original)
    callback = await callback_of(fake_discord, click)
    embed = callback["data"]["embeds"][0]
    assert quotes_of(embed) == [TIMEOUT_LINES[3]] and embed["footer"]["text"].startswith("Match 1 of 5")
    message = {"components": callback["data"]["components"]}
    for position in range(2, 6):  # each next match offers the one after it
        click = await fake_discord.click(button(message, "citebot:next:"), message)
        callback = await callback_of(fake_discord, click)
        assert callback["data"]["embeds"][0]["footer"]["text"].startswith(f"Match {position} of 5")
        message = {"components": callback["data"].get("components") or []}
    assert message["components"] == []  # the last one has no further button


async def test_whole_section_is_offered_only_by_engines_that_know_sections(start_bot, fake_discord):
    await start_bot(FakeEngine())
    interaction = await fake_discord.slash("ask", question="what is the timeout?")
    assert not any(i.startswith("citebot:sec:") for i in custom_ids(await original_of(fake_discord, interaction)))


async def test_more_context_after_the_document_changed_says_so(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine)
    interaction = await fake_discord.slash("ask", question="what is the timeout?")
    original = await original_of(fake_discord, interaction)
    doc = next(d for d in engine.data.docs if d.source == "docs/guide/timeouts.md")
    doc.text = doc.text.replace("five seconds", "ten seconds")  # a rebuild changed it
    click = await fake_discord.click(button(original, "citebot:ctx:"), original)
    callback = await callback_of(fake_discord, click)
    assert callback["data"]["flags"] & EPHEMERAL and "has changed since this answer" in callback["data"]["content"]


# ---------------------------------------------------------------- Apps → Ask citebot


@pytest.mark.parametrize("installed", ["guild", "user"])
async def test_the_message_command_answers_privately_then_posts(start_bot, fake_discord, installed):
    engine = FakeEngine()
    await start_bot(engine, guild_id=None)
    someone = await fake_discord.post_message("When did the fire start? my kid asks", mention_bot=False,
                                              user_id=OWNER_ID)
    interaction = await fake_discord.message_command("Ask citebot", someone, user_id=HELPER_ID, installed=installed)
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL  # only the helper sees it
    original = await original_of(fake_discord, interaction)
    assert engine.questions == ["When did the fire start? my kid asks"]  # the message's text, not blanked
    assert FIRE_QUOTE in original["embeds"][0]["description"]

    click = await fake_discord.click(button(original, "citebot:post:"), original, user_id=HELPER_ID)
    posted = await callback_of(fake_discord, click)
    assert posted["type"] == 4 and not posted["data"].get("flags", 0) & EPHEMERAL  # for everyone
    assert FIRE_QUOTE in posted["data"]["embeds"][0]["description"] and posted["data"]["allowed_mentions"]["parse"] == []
    assert not any(i.startswith("citebot:post:") for i in custom_ids(posted["data"]))
    click = await fake_discord.click(button(original, "citebot:post:"), original, user_id=HELPER_ID)
    assert "already posted" in (await callback_of(fake_discord, click))["data"]["content"]


async def test_the_message_command_on_a_message_without_text(start_bot, fake_discord):
    await start_bot()
    empty = await fake_discord.post_message("", mention_bot=False)
    interaction = await fake_discord.message_command("Ask citebot", empty)
    callback = await callback_of(fake_discord, interaction)
    assert callback["data"]["flags"] & EPHEMERAL and callback["data"]["content"] == "That message has no text to ask about."


# ---------------------------------------------------------------- forum posts


@pytest.mark.parametrize("fake_options", [{"bot_permissions": BOT_PERMISSIONS | MANAGE_THREADS}])
async def test_a_forum_post_is_answered_once_and_its_author_marks_it_solved(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine, forum_channels=[FORUM_ID], message_content=True)
    post = await fake_discord.forum_post("Fire question", "When did the fire start?", user_id=OWNER_ID)
    answer = (await bot_posts(fake_discord, post["id"]))[0]
    assert engine.questions == ["Fire question\nWhen did the fire start?"]  # title + first message
    assert FIRE_QUOTE in answer["embeds"][0]["description"]
    await fake_discord._dispatch_message(fake_discord.messages[post["id"]])  # the gateway replays it
    await fake_discord.post_message("I have the same problem", mention_bot=False, channel_id=post["id"],
                                    user_id=MEMBER_ID)  # another member: theirs to answer, not the bot's
    await fake_discord.post_message("and who answered the call?", mention_bot=False, channel_id=post["id"],
                                    user_id=OWNER_ID)  # the author's follow-up
    await bot_posts(fake_discord, post["id"], count=2)
    await asyncio.sleep(0.3)
    assert len(engine.questions) == 2 and engine.questions[1].endswith("and who answered the call?")

    solved = button(answer, "citebot:solved:")
    click = await fake_discord.click(solved, answer, user_id=MEMBER_ID)
    assert "Only the author" in (await callback_of(fake_discord, click))["data"]["content"]
    click = await fake_discord.click(solved, answer, user_id=OWNER_ID)
    assert (await callback_of(fake_discord, click))["data"]["content"] == "Marked solved (Solved)."
    edit = fake_discord.find("PATCH", rf"^/channels/{post['id']}$")[0]
    assert edit.status == 200 and edit.json["applied_tags"] == [str(SOLVED_TAG_ID)]
    assert fake_discord.channels[int(post["id"])]["applied_tags"] == [str(SOLVED_TAG_ID)]


@pytest.mark.parametrize(
    ("fake_options", "said", "tags"),
    [
        ({"bot_permissions": BOT_PERMISSIONS | MANAGE_THREADS, "forum_tags": ((SOLVED_TAG_ID, "Resolved ✔"),
                                                                              (QUESTION_TAG_ID, "Question"))},
         "Marked solved (Resolved ✔).", [str(SOLVED_TAG_ID)]),
        ({"bot_permissions": BOT_PERMISSIONS | MANAGE_THREADS, "forum_tags": ((QUESTION_TAG_ID, "Question"),)},
         "Glad it helped! This forum has no “Solved” or “Resolved” tag to apply.", []),
    ],
)
async def test_solved_applies_a_resolved_tag_and_says_when_there_is_none(start_bot, fake_discord, said, tags):
    await start_bot(forum_channels=[FORUM_ID])
    post = await fake_discord.forum_post("When did the fire start?", "", user_id=OWNER_ID)
    answer = (await bot_posts(fake_discord, post["id"]))[0]
    click = await fake_discord.click(button(answer, "citebot:solved:"), answer, user_id=OWNER_ID)
    assert (await callback_of(fake_discord, click))["data"]["content"] == said
    assert fake_discord.channels[int(post["id"])]["applied_tags"] == tags


async def test_forum_posts_outside_the_setting_are_ignored_and_tags_need_manage_threads(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine)  # no CITEBOT_FORUM_CHANNELS
    await fake_discord.forum_post("Fire question", "When did the fire start?")
    await asyncio.sleep(0.3)
    assert engine.questions == []


async def test_solved_without_manage_threads_says_what_is_missing(start_bot, fake_discord):
    await start_bot(forum_channels=[FORUM_ID])
    post = await fake_discord.forum_post("When did the fire start?", "", user_id=OWNER_ID)  # body empty: no intent
    answer = (await bot_posts(fake_discord, post["id"]))[0]
    fake_discord.expect_refusals = True
    click = await fake_discord.click(button(answer, "citebot:solved:"), answer, user_id=OWNER_ID)
    assert "needs Manage Threads" in (await callback_of(fake_discord, click))["data"]["content"]
    assert [(r.status, r.error_code) for r in fake_discord.refused()] == [(403, 50013)]


# ---------------------------------------------------------------- hand-off on abstention


async def test_ask_a_helper_pings_only_that_role_once(start_bot, fake_discord):
    await start_bot(helper_role_id=HELPER_ROLE_ID)
    interaction = await fake_discord.slash("ask", question="what is the weather tomorrow?")
    original = await original_of(fake_discord, interaction)
    assert "do not answer" in original["embeds"][0]["description"]
    helper = button(original, "citebot:helper:")
    click = await fake_discord.click(helper, original, user_id=ADMIN_ID)  # not the asker
    assert "Only the person who asked" in (await callback_of(fake_discord, click))["data"]["content"]
    click = await fake_discord.click(helper, original, user_id=MEMBER_ID)
    ping = await callback_of(fake_discord, click)
    assert ping["type"] == 4 and not ping["data"].get("flags", 0) & EPHEMERAL
    assert ping["data"]["content"].startswith(f"<@&{HELPER_ROLE_ID}> ")
    assert ping["data"]["allowed_mentions"] == {"parse": [], "roles": [HELPER_ROLE_ID]}  # that role, nobody else
    assert fake_discord.pings == [{"message": fake_discord.interactions[click["id"]].original_id,
                                   "roles": [str(HELPER_ROLE_ID)], "users": [], "everyone": False}]
    click = await fake_discord.click(helper, original, user_id=MEMBER_ID)
    assert "already asked" in (await callback_of(fake_discord, click))["data"]["content"]
    assert len(fake_discord.pings) == 1


async def test_no_helper_button_without_the_setting_or_for_answers(start_bot, fake_discord):
    await start_bot()
    interaction = await fake_discord.slash("ask", question="what is the weather tomorrow?")
    assert not any(i.startswith("citebot:helper:") for i in custom_ids(await original_of(fake_discord, interaction)))


# ---------------------------------------------------------------- /ask private: and source:


async def test_private_ask_is_ephemeral_and_opens_no_thread(start_bot, fake_discord):
    await start_bot(answer_mode="thread")
    interaction = await fake_discord.slash("ask", question="When did the fire start?", private=True)
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
    assert FIRE_QUOTE in (await original_of(fake_discord, interaction))["embeds"][0]["description"]
    await asyncio.sleep(0.2)
    assert not fake_discord.find("POST", r"/threads$")


async def test_source_limits_the_answer_and_is_autocompleted_in_time(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine)
    began = time.monotonic()
    typing = await fake_discord.autocomplete("ask", "source", question="x", source="guide")
    callback = (await fake_discord.wait_for("POST", CALLBACK.format(id=typing["id"])))[0]
    assert callback.at - began < 3.0 and callback.status == 200  # within Discord's autocomplete window
    choices = [c["value"] for c in callback.json["data"]["choices"]]
    assert choices[:3] == ["docs/guide/", "docs/guide/proxies.md", "docs/guide/timeouts.md"]
    typing = await fake_discord.autocomplete("ask", "source", question="x", source="")
    top = [c["value"] for c in (await callback_of(fake_discord, typing))["data"]["choices"]]
    assert "docs/" in top and "fire.txt" in top and len(top) <= 25

    interaction = await fake_discord.slash("ask", question="what is the timeout?", source="docs/guide/proxies.md")
    embed = (await original_of(fake_discord, interaction))["embeds"][0]
    assert quotes_of(embed) == ["Proxies are read from the environment."]  # the one quote from that file
    assert "docs/guide/proxies.md" in embed["description"] and "timeouts.md" not in embed["description"]


async def test_ask_private_follow_up_buttons_and_patch_within_limits(start_bot, fake_discord):
    await start_bot()
    interaction = await fake_discord.slash("ask", question="what is the timeout?", private=True)
    await original_of(fake_discord, interaction)
    patch = fake_discord.find("PATCH", ORIGINAL.format(token=interaction["token"]))[0]
    assert patch.status == 200 and len(custom_ids(patch.json)) == 5


async def test_an_unknown_source_is_refused_privately(start_bot, fake_discord):
    engine = FakeEngine()
    await start_bot(engine)
    interaction = await fake_discord.slash("ask", question="what is the timeout?", source="docs/nowhere.md")
    callback = await callback_of(fake_discord, interaction)
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "No indexed document or folder is called “docs/nowhere.md”" in callback["data"]["content"]
    assert engine.questions == []
    interaction = await fake_discord.slash("ask", question="what is the timeout?", source="docs/guide")  # a folder
    assert quotes_of((await original_of(fake_discord, interaction))["embeds"][0])
