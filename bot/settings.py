"""Settings of the Discord bot: ``index.settings.Settings`` plus the bot's own fields.

Every field reads ``CITEBOT_<NAME>`` from the environment or ``.env``. The token has
no default on purpose: ``citebot run`` refuses to start without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from index.settings import Settings

DEFAULT_API_BASE = "https://discord.com/api/v10"


class BotSettings(Settings):
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
    shard_count: int | None = Field(
        None, ge=1, description="Number of shards; set it to run an auto-sharded bot (large deployments)."
    )
    message_content: bool = Field(
        False,
        description="Answer @mentions and direct messages. Needs the privileged Message Content intent "
        "enabled in the developer portal; off = slash commands only.",
    )

    # commands
    guild_id: int | None = Field(
        None, description="Sync the commands to this one server only (instant; for development)."
    )
    sync_commands: bool = Field(True, description="Register (bulk overwrite) the slash commands at start.")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="User ids allowed to run /reindex besides members with Manage Server "
        "(comma separated or a JSON list).",
    )
    cooldown_rate: int = Field(3, ge=1, description="Questions a user may ask per cooldown window.")
    cooldown_seconds: float = Field(30.0, gt=0, description="Length of the per-user cooldown window, seconds.")
    max_concurrent_asks: int = Field(2, ge=1, le=64, description="Questions answered at the same time.")

    # answers
    docs_base_url: str | None = Field(
        None,
        description="Base URL of the documents (e.g. a Git forge tree); quotes link to "
        "base + source + '#L' + line.",
    )
    feedback_db: Path = Field(
        Path(".citebot/feedback.sqlite3"), description="SQLite file for answers and 👍/👎 feedback."
    )

    @field_validator("admin_ids", mode="before")
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
