"""The errors of the PostgreSQL store: each one line for a person, as every ``CitebotError``."""

from __future__ import annotations

from index.errors import CitebotError


class PostgresStoreError(CitebotError):
    """Base class of the PostgreSQL store's errors."""


class ServerUnavailable(PostgresStoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"PostgreSQL is not available: {reason}")


class ExtensionMissing(PostgresStoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "the pgvector extension is not installed in this database and citebot may not install it "
            f"({reason}): run `CREATE EXTENSION vector;` as a database owner, or use the pgvector image"
        )


class SchemaMismatch(PostgresStoreError):
    def __init__(self, what: str, found: object, wanted: object) -> None:
        super().__init__(f"the database holds citebot {what} {found}, but this citebot needs {wanted}")


class CorpusNotFound(PostgresStoreError):
    def __init__(self, corpus: str) -> None:
        super().__init__(f"no corpus {corpus!r} in the database: ingest one first")


class NoLiveGeneration(PostgresStoreError):
    def __init__(self, corpus: str) -> None:
        super().__init__(f"corpus {corpus!r} has no finished index yet: wait for its first build")


class GenerationGone(PostgresStoreError):
    def __init__(self, corpus: str, generation: int) -> None:
        super().__init__(
            f"generation {generation} of corpus {corpus!r} was replaced and dropped: ask again"
        )


class ReindexInProgress(PostgresStoreError):
    def __init__(self, corpus: str) -> None:
        super().__init__(f"another re-index of corpus {corpus!r} is running; try again when it has finished")


class UnstorableText(PostgresStoreError):
    """PostgreSQL text holds neither NUL characters nor lone surrogates."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"document {source!r} cannot be stored in PostgreSQL: {reason}")


class IngestRejected(PostgresStoreError):
    """Validation of a new generation failed: it was not made live."""

    def __init__(self, corpus: str, reason: str) -> None:
        super().__init__(f"the new index of corpus {corpus!r} failed validation and was not used: {reason}")
