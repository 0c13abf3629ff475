"""Settings of the Discord bot: ``index.settings.Settings`` plus the bot's own fields.

Every field reads ``CITEBOT_<NAME>`` from the environment or ``.env``. The token has
no default on purpose: ``citebot run`` refuses to start without it. ``FeedbackSettings`` is the
part the ``citebot feedback`` commands read (they need no token).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import NoDecode

from bot.corpus_config import DEFAULT_CORPUS, CorporaConfig, CorpusEntry, read_corpora
from index.settings import Settings

DEFAULT_API_BASE = "https://discord.com/api/v10"


def invalid_setting(exc: ValidationError) -> str:
    """One line naming the first invalid variable and its rule (never its value)."""
    first = exc.errors(include_input=False, include_url=False)[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"]:  # a rule over several fields names them itself
        return f"invalid settings: {message}"
    return f"invalid setting CITEBOT_{str(first['loc'][0]).upper()}: {message}"


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
    feedback_dsn: SecretStr | None = Field(
        None,
        description="PostgreSQL DSN of the feedback store (answers, votes, threads), shared by several bot "
        "replicas; empty = CITEBOT_PG_DSN when CITEBOT_STORE=postgres, else the SQLite file CITEBOT_FEEDBACK_DB.",
    )
    feedback_key_file: Path | None = Field(
        None,
        description="The secret user ids are HMAC-hashed with (created on first start; empty = "
        "CITEBOT_FEEDBACK_DB + '.key'). With a PostgreSQL feedback store give every replica the same file.",
    )
    corpora: CorporaConfig | None = Field(
        None,
        description="A TOML (or .json) file of the corpora this bot serves: [corpus.<name>] with docs_dir, "
        "index_dir, optional repo_url, and the guilds / channels that ask it (README: Several corpora). "
        "Empty = one corpus, CITEBOT_DOCS_DIR / CITEBOT_INDEX_DIR, for everyone.",
    )

    @field_validator("feedback_dsn", "feedback_key_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def feedback_postgres_dsn(self) -> str | None:
        """The DSN of a PostgreSQL feedback store, if there is to be one."""
        if self.feedback_dsn is not None:
            return self.feedback_dsn.get_secret_value()
        shared = getattr(self, "pg_dsn", None)  # the index's database (CITEBOT_STORE=postgres)
        value = shared.get_secret_value() if isinstance(shared, SecretStr) else str(shared or "")
        return value if self.store == "postgres" and value.strip() else None

    @field_validator("corpora", mode="before")
    @classmethod
    def _read_corpora(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str | Path):
            return read_corpora(Path(value))  # ValueError: one line naming the file and the key
        return value

    @model_validator(mode="after")
    def _distinct_index_dirs(self) -> FeedbackSettings:
        seen: dict[Path, str] = {}
        for name, settings in self.corpus_settings().items():
            where = Path(settings.index_dir).expanduser().resolve()
            if where in seen:
                raise ValueError(f"CITEBOT_CORPORA: corpora {seen[where]!r} and {name!r} share the index directory {settings.index_dir}")
            seen[where] = name
        return self

    def corpus_settings(self) -> dict[str, Any]:
        """Settings per corpus name: ``default`` (CITEBOT_DOCS_DIR / CITEBOT_INDEX_DIR) unless the file
        defines it, then every corpus of ``CITEBOT_CORPORA`` with its own folders and links."""
        out: dict[str, Any] = {}
        entries = dict(self.corpora.corpus) if self.corpora is not None else {}
        if DEFAULT_CORPUS not in entries:
            out[DEFAULT_CORPUS] = self
        for name, entry in entries.items():
            out[name] = self.model_copy(update=self._entry_update(name, entry))
        return out

    def _entry_update(self, name: str, entry: CorpusEntry) -> dict[str, Any]:
        index_dir = entry.index_dir or Path(self.index_dir).parent / f"index-{name}"
        update: dict[str, Any] = {"docs_dir": entry.docs_dir, "index_dir": index_dir, "repo_url": entry.repo_url}
        if entry.exclude is not None:
            update["exclude"] = list(entry.exclude)
        if "docs_base_url" in type(self).model_fields:
            update["docs_base_url"] = entry.docs_base_url
        if "corpus" in type(self).model_fields:  # its own corpus in a shared store (CITEBOT_STORE=postgres)
            update["corpus"] = name
        return update


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
    shutdown_grace: float = Field(
        8.0,
        ge=0,
        le=600,
        description="On SIGTERM (docker stop, systemctl stop), seconds `citebot run` lets the questions it has "
        "already taken finish before it disconnects; new ones are told it is restarting. Keep it under the "
        "supervisor's kill timeout (docker: 10 s).",
    )
    shard_count: int | None = Field(
        None, ge=1, description="Number of shards; set it to run an auto-sharded bot (large deployments)."
    )
    shard_ids: Annotated[list[Annotated[int, Field(ge=0)]], NoDecode] = Field(
        default_factory=list,
        description="The shards this process runs, of CITEBOT_SHARD_COUNT (comma separated; empty = all): "
        "several replicas each run their own, sharing the feedback store in PostgreSQL.",
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
    @field_validator("admin_ids", "forum_channels", "shard_ids", mode="before")
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

    @model_validator(mode="after")
    def _shards_of_the_count(self) -> BotSettings:
        if self.shard_ids and not self.shard_count:
            raise ValueError("CITEBOT_SHARD_IDS needs CITEBOT_SHARD_COUNT")
        if any(i >= (self.shard_count or 0) for i in self.shard_ids):
            raise ValueError(f"CITEBOT_SHARD_IDS: every id is below CITEBOT_SHARD_COUNT ({self.shard_count})")
        return self

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("the token is empty")
        return value
