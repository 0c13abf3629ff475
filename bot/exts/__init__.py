"""The bot's features, one extension each (a module with ``async def setup(bot)``), loaded by walking
this package (``bot.extensions``). Modules named ``_something`` are helpers, not extensions."""
