"""A loopback fake of Discord (REST + gateway), honest enough to run the real discord.py client.

    fake = await FakeDiscord().start()
    settings = BotSettings(discord_api_base=fake.api_base, discord_gateway=fake.gateway_url, ...)
    ...
    interaction = await fake.slash("ask", question="when?")
    patch = await fake.wait_for("PATCH", r"/webhooks/.*/messages/@original")

Every HTTP request is recorded (method, path, query, JSON body, status, Discord error code). The
gateway speaks JSON, with zlib-stream compression when the client asks for it, answers
HELLO/IDENTIFY/HEARTBEAT/RESUME and dispatches INTERACTION_CREATE (slash and message commands,
autocomplete, button clicks), MESSAGE_CREATE, THREAD_CREATE and THREAD_UPDATE. What Discord refuses,
the fake refuses (see ``server.py``).
"""

from .payloads import *  # noqa: F403  (ids, permission bits, intents)
from .server import FakeDiscord, Request

__all__ = ["FakeDiscord", "Request"]
