"""Thin cogs: parse the Discord event, call ``bot.service``, format with ``bot.formatting``."""
