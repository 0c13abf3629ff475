"""Registers the persistent buttons (``bot.buttons.DYNAMIC_ITEMS``): clicks on answers posted before
a restart are routed to them by their custom_id."""

from __future__ import annotations

from bot.buttons import DYNAMIC_ITEMS
from bot.client import CitebotBot


async def setup(bot: CitebotBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)


async def teardown(bot: CitebotBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
