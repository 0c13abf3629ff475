"""``citebot run``: start the Discord bot (plugin of the ``citebot.commands`` entry-point group).

Only typer is imported at module level: discord, torch and friends load inside
the command so that ``citebot --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

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

    from bot.settings import BotSettings, invalid_setting

    try:
        return BotSettings()
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            if error["loc"] and error["loc"][0] == "discord_token":
                return TOKEN_MISSING
        return invalid_setting(exc)


def run_command(log_level: str = "INFO") -> int:
    """Run the bot until interrupted; returns the process exit code (2 = configuration or connection error)."""
    settings = load_settings()
    if isinstance(settings, str):
        return _fail(settings)

    import asyncio
    import logging

    import discord

    from bot.client import create_bot
    from bot.errors import DiscordUnreachable, one_line

    discord.utils.setup_logging(level=getattr(logging, log_level.upper(), logging.INFO), root=True)
    bot = create_bot(settings)
    try:
        asyncio.run(serve(bot, settings))
    except DiscordUnreachable as exc:
        return _fail(str(exc))
    except discord.LoginFailure:
        return _fail("Discord rejected CITEBOT_DISCORD_TOKEN (improper token): reset it in the developer portal")
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "CITEBOT_MESSAGE_CONTENT=true needs the Message Content intent: enable it in the developer "
            "portal (Bot → Privileged Gateway Intents) or set CITEBOT_MESSAGE_CONTENT=false"
        )
    except discord.HTTPException as exc:  # e.g. Discord refused the command sync
        return _fail(f"Discord refused a request at start-up ({exc.status}): {one_line(exc)}")
    except KeyboardInterrupt:
        return 0
    return 0


async def serve(bot: Any, settings: BotSettings) -> None:
    """Log in (bounded), connect, and give up with ``DiscordUnreachable`` if no READY comes within
    ``connect_timeout`` of connecting; then run until the connection ends, or until SIGTERM (at any point
    from login on), which lets the admitted questions finish before disconnecting."""
    import asyncio

    from bot.errors import DiscordUnreachable

    terminated = asyncio.Event()
    async with bot:
        with _on_sigterm(terminated.set):  # from the start: SIGTERM may come before READY (guilds still arriving)
            await bot.login(settings.discord_token.get_secret_value())
            connection = asyncio.create_task(bot.connect(), name="citebot-gateway")
            ready = asyncio.create_task(bot.wait_until_ready(), name="citebot-ready")
            stop = asyncio.create_task(terminated.wait(), name="citebot-sigterm")
            try:
                done, _ = await asyncio.wait(
                    {connection, ready, stop}, timeout=settings.connect_timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                ready.cancel()
            if not done:
                connection.cancel()
                stop.cancel()
                where = settings.discord_gateway or "Discord's gateway"
                raise DiscordUnreachable(where, f"no READY within {settings.connect_timeout:g} s")
            await asyncio.wait({connection, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not stop.done():
                stop.cancel()
                await connection  # the connection ended (or failed) by itself
                return
        await _shut_down(bot, connection, settings.shutdown_grace)


async def _shut_down(bot: Any, connection: Any, grace: float) -> None:
    """SIGTERM: refuse new questions, let the admitted ones finish (at most ``grace`` s), disconnect."""
    import logging

    log = logging.getLogger("citebot.bot")
    service = bot.service
    log.info("SIGTERM: finishing %d question(s) (at most %g s), then disconnecting", service.in_flight, grace)
    if not await service.drain(grace):
        log.warning("SIGTERM: %d question(s) still unanswered after %g s", service.in_flight, grace)
    await bot.close()
    with contextlib.suppress(Exception):  # the gateway's own ending once closed is not an error here
        await connection
    log.info("Disconnected")


@contextlib.contextmanager
def _on_sigterm(callback: Any) -> Iterator[None]:
    """Run ``callback`` on the event loop when SIGTERM arrives (where the loop supports signal handlers).
    Outside the block SIGTERM is the default again, so a second one during the drain ends the process."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, callback)
        installed = True
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread: SIGTERM kills as before
        installed = False
    try:
        yield
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)


def corpus_settings() -> dict[str, Any]:
    """Every corpus CITEBOT_CORPORA names (and ``default``), each with its own settings: what
    ``citebot index build --corpus NAME`` builds (an invalid setting: one line, exit 2)."""
    from bot.settings import FeedbackSettings

    return FeedbackSettings().corpus_settings()


def register(app: typer.Typer) -> None:
    """Add ``citebot run`` to the CLI, and the corpora of CITEBOT_CORPORA to ``citebot index build``."""
    from index.cli.build import register_corpora

    register_corpora(corpus_settings)

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
