"""Settings of the Discord bot: ``index.settings.Settings`` plus the bot's own fields.

Every field reads ``CITEBOT_<NAME>`` from the environment or ``.env``. The token has
no default on purpose: ``citebot run`` refuses to start without it. ``FeedbackSettings`` is the
part the ``citebot feedback`` commands read (they need no token).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import NoDecode

from index.settings import Settings

DEFAULT_API_BASE = "https://discord.com/api/v10"


def invalid_setting(exc: ValidationError) -> str:
    """One line naming the first invalid variable and its rule (never its value)."""
    first = exc.errors(include_input=False, include_url=False)[0]
    field = str(first["loc"][0]).upper() if first["loc"] else "?"
    return f"invalid setting CITEBOT_{field}: {first['msg']}"


class FeedbackSettings(Settings):
    """What ``citebot feedback …`` needs (no token): where the feedback lives and how long it is kept."""

    feedback_db: Path = Field(
        Path(".citebot/feedback.sqlite3"),
        description="SQLite file for answers and 👍/👎 feedback; its HMAC key for user ids is kept beside it "
        "as <file>.key.",
    )
    feedback_retention_days: float = Field(
        180.0,
        ge=0,
        le=36_500,
        description="Stored questions, answers and votes older than this are deleted (0 = keep forever).",
    )


class BotSettings(FeedbackSettings):
    # connecting
    discord_token: SecretStr = Field(
        description="Bot token from the Discord developer portal (Bot → Reset Token). Required."
    )
    discord_api_base: str = Field(
        DEFAULT_API_BASE, description="Base URL of Discord's REST API (tests point it at a fake)."
    )
    discord_gateway: str | None = Field(
        None, description="Override of the gateway WebSocket URL (default: Discord's own)."
    )
    connect_timeout: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Seconds `citebot run` waits for Discord to answer the login (and for READY) before "
        "giving up with one line.",
    )
    shard_count: int | None = Field(
        None, ge=1, description="Number of shards; set it to run an auto-sharded bot (large deployments)."
    )
    message_content: bool = Field(
        False,
        description="Read every message in the bot's threads, not only those that mention or reply to it. "
        "Needs the privileged Message Content intent enabled in the developer portal. Mentions, replies to the "
        "bot and DMs are answered without it.",
    )

    # commands
    guild_id: int | None = Field(
        None, ge=1, description="Sync the commands to this one server only (instant; for development)."
    )
    sync_commands: bool = Field(True, description="Register (bulk overwrite) the slash commands at start.")
    admin_ids: Annotated[list[Annotated[int, Field(ge=1)]], NoDecode] = Field(
        default_factory=list,
        description="User ids allowed to run /reindex besides members with Manage Server "
        "(comma separated or a JSON list).",
    )
    cooldown_rate: int = Field(3, ge=1, description="Questions a user may ask per cooldown window.")
    cooldown_seconds: float = Field(
        30.0, gt=0, le=86_400, description="Length of the per-user cooldown window, seconds."
    )
    max_concurrent_asks: int = Field(2, ge=1, le=64, description="Questions answered at the same time.")
    max_waiting_asks: int = Field(
        20, ge=0, le=10_000, description="Questions that may wait for a free worker, overall; beyond, 'busy'."
    )
    max_waiting_asks_per_guild: int = Field(
        5, ge=0, le=10_000, description="Questions from one server (or from DMs) that may wait; beyond, 'busy'."
    )
    max_wait_seconds: float = Field(
        120.0, gt=0, le=600, description="Longest a question waits for a worker before it is answered 'busy'."
    )

    # where answers go
    answer_mode: Literal["thread", "reply"] = Field(
        "thread",
        description="thread: an answer in a text channel starts a thread on the question (follow-ups there are "
        "asked with the conversation); reply: answer in place. Where threads cannot be made, citebot replies.",
    )
    forum_channels: Annotated[list[Annotated[int, Field(ge=1)]], NoDecode] = Field(
        default_factory=list,
        description="Forum channel ids where citebot answers each new post once, in its thread "
        "(comma separated or a JSON list; empty = none).",
    )
    helper_role_id: int | None = Field(
        None,
        ge=1,
        description="A role the asker may ping, once, with an 'Ask a helper' button when citebot abstains "
        "(empty = no button).",
    )
    context_lines: int = Field(3, ge=1, le=20, description="Lines shown before and after a quote by 'More context'.")

    # answers
    docs_base_url: str | None = Field(
        None,
        description="Base URL of the documents (e.g. a Git forge tree); quotes link to "
        "base + source + '#L' + line.",
    )
    @field_validator("admin_ids", "forum_channels", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return []
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("discord_gateway", "docs_base_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("the token is empty")
        return value
