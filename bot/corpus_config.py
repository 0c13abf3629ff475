"""``CITEBOT_CORPORA``: a small TOML (or JSON) file naming the corpora one bot serves, and where each answers.

    # corpora.toml
    [corpus.httpx]
    docs_dir = "/srv/docs/httpx/docs"            # the docs folder (relative paths: to this file)
    index_dir = "/srv/citebot/httpx"             # its own index directory (default: index-<name> beside
                                                 # CITEBOT_INDEX_DIR)
    repo_url = "https://github.com/encode/httpx" # optional: permalinks at the indexed commit
    guilds = [111111111111111111]                # servers that ask this corpus
    channels = [222222222222222222]              # channels (and their threads and forum posts) that do

A question is answered from the corpus of its channel (a thread's or forum post's parent channel
counts), else of its server, else from ``default``: the corpus of ``CITEBOT_DOCS_DIR`` /
``CITEBOT_INDEX_DIR`` (DMs and servers the file does not name), unless the file defines a corpus
called ``default`` itself. Every mistake is refused at start with one line naming the file and the key.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CORPUS = "default"
NAME_RULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")  # also a database corpus id and a folder name

Snowflake = Annotated[int, Field(ge=1, lt=1 << 64)]


class CorpusEntry(BaseModel):
    """One corpus of the file: its documents, its index, and who asks it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    docs_dir: Path
    index_dir: Path | None = None
    repo_url: str | None = None
    docs_base_url: str | None = None
    exclude: list[str] | None = None  # gitignore-style patterns; default: CITEBOT_EXCLUDE
    guilds: list[Snowflake] = Field(default_factory=list)
    channels: list[Snowflake] = Field(default_factory=list)

    @field_validator("repo_url", "docs_base_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// or http://")
        return value.strip()


class CorporaConfig(BaseModel):
    """The whole file, checked: names, unique index dirs, each guild and channel mapped once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    corpus: dict[str, CorpusEntry] = Field(min_length=1)
    source: Path | None = None  # the file it was read from (set by ``read_corpora``)

    @field_validator("corpus")
    @classmethod
    def _names(cls, corpora: dict[str, CorpusEntry]) -> dict[str, CorpusEntry]:
        for name in corpora:
            if not NAME_RULE.match(name):
                raise ValueError(f"corpus name {name!r}: use lowercase letters, digits, '-' and '_' (at most 63)")
        return corpora

    @model_validator(mode="after")
    def _mapped_once(self) -> CorporaConfig:
        for what in ("guilds", "channels"):
            owner: dict[int, str] = {}
            for name, entry in self.corpus.items():
                for snowflake in getattr(entry, what):
                    if snowflake in owner and owner[snowflake] != name:
                        raise ValueError(f"{what[:-1]} {snowflake} is mapped to both {owner[snowflake]!r} and {name!r}")
                    owner[snowflake] = name
        return self

    def guild_map(self) -> dict[int, str]:
        return {g: name for name, entry in self.corpus.items() for g in entry.guilds}

    def channel_map(self) -> dict[int, str]:
        return {c: name for name, entry in self.corpus.items() for c in entry.channels}


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"{part}: " for part in [".".join(str(p) for p in loc)] if part)


def read_corpora(path: Path) -> CorporaConfig:
    """Read and check the file; raises ValueError with one line (file, key, rule) on any mistake."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 (invalid byte at offset {exc.start})") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise ValueError(f"{path} is not valid {kind}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a table of [corpus.<name>] entries")
    try:
        config = CorporaConfig.model_validate({k: v for k, v in data.items() if k != "source"})
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{path}: {_where(first['loc'])}{message}") from None
    base = path.parent
    resolved = {
        name: entry.model_copy(update={
            "docs_dir": base / entry.docs_dir.expanduser(),
            "index_dir": None if entry.index_dir is None else base / entry.index_dir.expanduser(),
        })
        for name, entry in config.corpus.items()
    }
    return CorporaConfig(corpus=resolved, source=path)
