"""``citebot run``: start the Discord bot (plugin of the ``citebot.commands`` entry-point group).

Only typer is imported at module level: discord, torch and friends load inside
the command so that ``citebot --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.settings import BotSettings

TOKEN_MISSING = (
    "CITEBOT_DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications "
    "(Bot → Reset Token) and put CITEBOT_DISCORD_TOKEN=... in the environment or .env"
)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def load_settings() -> BotSettings | str:
    """The settings, or the one-line reason they are unusable (never including a value)."""
    from pydantic import ValidationError

    from bot.settings import BotSettings

    try:
        return BotSettings()
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            if error["loc"] and error["loc"][0] == "discord_token":
                return TOKEN_MISSING
        first = exc.errors(include_input=False, include_url=False)[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "?"
        return f"invalid setting CITEBOT_{field}: {first['msg']}"


def run_command(log_level: str = "INFO") -> int:
    """Run the bot until interrupted; returns the process exit code (2 = configuration error)."""
    settings = load_settings()
    if isinstance(settings, str):
        return _fail(settings)

    import logging

    import discord

    from bot.client import create_bot

    discord.utils.setup_logging(level=getattr(logging, log_level.upper(), logging.INFO), root=True)
    bot = create_bot(settings)
    try:
        bot.run(settings.discord_token.get_secret_value(), log_handler=None)
    except discord.LoginFailure:
        return _fail("Discord rejected CITEBOT_DISCORD_TOKEN (improper token): reset it in the developer portal")
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "CITEBOT_MESSAGE_CONTENT=true needs the Message Content intent: enable it in the developer "
            "portal (Bot → Privileged Gateway Intents) or set CITEBOT_MESSAGE_CONTENT=false"
        )
    except KeyboardInterrupt:
        return 0
    return 0


def register(app: typer.Typer) -> None:
    """Add ``citebot run`` to the CLI."""

    @app.command("run")
    def run(
        log_level: Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    ) -> None:
        """Start the Discord bot (settings: CITEBOT_* environment variables or .env)."""
        code = run_command(log_level)
        if code:
            raise typer.Exit(code)


def main() -> None:  # ``python -m bot.cli`` while the main CLI is not there
    raise SystemExit(run_command(*sys.argv[1:2]))


if __name__ == "__main__":
    main()
