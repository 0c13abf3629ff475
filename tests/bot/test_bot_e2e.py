"""End to end: the real discord.py client against the loopback fake Discord."""

from __future__ import annotations

from botfakes import FIRE_QUOTE
from fake_discord import GUILD_ID


async def test_connects_and_syncs_commands(start_bot, fake_discord):
    bot = await start_bot()
    assert fake_discord.find("GET", r"^/users/@me$")
    assert fake_discord.find("GET", r"^(/oauth2)?/applications/@me$")
    puts = fake_discord.find("PUT", rf"^/applications/\d+/guilds/{GUILD_ID}/commands$")
    assert puts, fake_discord.requests
    names = {c["name"] for c in puts[-1].json}
    assert names == {"ask", "reindex", "status"}
    assert bot.get_guild(GUILD_ID) is not None
    assert fake_discord.identifies and fake_discord.heartbeats


async def test_ask_defers_then_edits_with_quote(start_bot, fake_discord):
    await start_bot()
    await fake_discord.slash("ask", question="When did the fire start?")
    callback = (await fake_discord.wait_for("POST", r"^/interactions/\d+/[^/]+/callback$"))[0]
    assert callback.json["type"] == 5
    patch = (await fake_discord.wait_for("PATCH", r"/messages/@original$"))[0]
    embed = patch.json["embeds"][0]
    assert FIRE_QUOTE in embed["description"]
    assert "fire.txt" in embed["description"] and "line 2" in embed["description"]
    assert embed["title"] == "When did the fire start?"
    assert patch.json["allowed_mentions"]["parse"] == []
