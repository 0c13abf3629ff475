"""citebot's Discord layer: slash commands, mentions and buttons on top of ``index``.

Nothing here is imported by ``index``; ``bot.cli`` imports discord lazily so that
``citebot --help`` stays fast.
"""
