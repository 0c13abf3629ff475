"""citebot's schema in PostgreSQL, versioned, created by citebot itself (``ensure_schema``).

The corpus id leads every key, so every table can be distributed by it (Citus) with all of one
corpus's rows on one node, and every question touches one corpus. A corpus is re-indexed into a new
**generation**; ``corpora.live_generation`` points at the one that answers.

    citebot_schema   the schema version and the vector dimension of this database (one row)
    corpora          corpus_id, name (a guild, a channel mapping…), live_generation
    generations      (corpus_id, generation): state ready|live|retired (ready: built, attached, not yet
                     live; "building" is never committed), model, manifest, the frozen
                     BM25 statistics (k1, b, per level: count, average length), counts, the strings
                     blocks refer to by number (kinds, contexts), ann
    documents        (corpus_id, generation, doc): source, title, hash, format, role, repo path, text
                     (what offsets point into), its blocks (``index.storage.schema.BLOCK_DTYPE`` rows),
                     its units [unit_start, unit_end), mean vector
    document_terms   (corpus_id, generation, doc, part): BM25 of the whole document as sparsevec(s)
                     (a sparsevec holds 16,000 terms; a longer document has several parts)
    units            (corpus_id, generation, unit): doc, first chunk, char_start, char_end, line, end
                     line, block, page, kind, language, display text (NULL: its source text), text
                     hash, vector(dim), BM25 sparsevec, term ids
    chunks           (corpus_id, generation, chunk): doc, char_start, char_end, units [first, last),
                     context, mean vector, BM25 sparsevec, term ids
    vocabulary       (corpus_id, generation, term): term_id (the sparsevec dimension), document
                     frequency at each level

The big tables are partitioned by corpus, then by generation: one leaf table per (corpus,
generation), filled by COPY before it is attached, with its own indexes. So a small guild has its
own exact scan or its own HNSW graph (never a shared one that loses its recall), and an old
generation is dropped as whole tables, not deleted row by row.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from index.storage.postgres.errors import ExtensionMissing, SchemaMismatch

# 2: units with display text, block, end line, language; documents with blocks, format, role
# 3: a generation can be 'ready' (committed and attached, flipped live by a second transaction)
SCHEMA_VERSION = 3
# versions a reader can answer from unchanged (a version-2 database has no 'ready' rows); a build
# migrates them to SCHEMA_VERSION (``ensure_schema``)
READABLE_VERSIONS = (2, 3)
DEFAULT_DIM = 384
LEVEL_TABLES = ("units", "chunks", "documents", "document_terms", "vocabulary")
_SCHEMA_LOCK = 0x63697465  # advisory lock key while the schema is created ("cite")

_TABLES = """
CREATE TABLE citebot_schema (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version integer NOT NULL,
    dim integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE corpora (
    corpus_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    live_generation integer,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE generations (
    corpus_id integer NOT NULL REFERENCES corpora ON DELETE CASCADE,
    generation integer NOT NULL,
    state text NOT NULL CONSTRAINT generations_state_check CHECK (state IN {states}),
    model jsonb NOT NULL,
    manifest jsonb NOT NULL DEFAULT '{}',
    stats jsonb NOT NULL,
    counts jsonb NOT NULL,
    tables jsonb NOT NULL DEFAULT '{}',
    ann text,
    created_at timestamptz NOT NULL DEFAULT now(),
    live_at timestamptz,
    retired_at timestamptz,
    PRIMARY KEY (corpus_id, generation)
);
CREATE TABLE documents (
    corpus_id integer NOT NULL,
    generation integer NOT NULL,
    doc integer NOT NULL,
    unit_start integer NOT NULL,
    unit_end integer NOT NULL,
    embedding vector({dim}) NOT NULL,
    source text NOT NULL,
    title text NOT NULL,
    hash text NOT NULL,
    format text NOT NULL,
    role text NOT NULL,
    repo_path text NOT NULL,
    blocks bytea NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (corpus_id, generation, doc)
) PARTITION BY LIST (corpus_id);
ALTER TABLE documents ALTER COLUMN text SET STORAGE EXTERNAL;
CREATE TABLE document_terms (
    corpus_id integer NOT NULL,
    generation integer NOT NULL,
    doc integer NOT NULL,
    part integer NOT NULL,
    bm25 sparsevec NOT NULL,
    terms integer[] NOT NULL,
    PRIMARY KEY (corpus_id, generation, doc, part)
) PARTITION BY LIST (corpus_id);
CREATE TABLE units (
    corpus_id integer NOT NULL,
    generation integer NOT NULL,
    unit integer NOT NULL,
    doc integer NOT NULL,
    chunk integer NOT NULL,
    char_start integer NOT NULL,
    char_end integer NOT NULL,
    line integer NOT NULL,
    end_line integer NOT NULL,
    block integer NOT NULL,
    page integer,
    text_hash bytea NOT NULL,
    embedding vector({dim}) NOT NULL,
    kind text NOT NULL,
    language text NOT NULL,
    display text,
    bm25 sparsevec NOT NULL,
    terms integer[] NOT NULL,
    PRIMARY KEY (corpus_id, generation, unit),
    CHECK (0 <= char_start AND char_start <= char_end)
) PARTITION BY LIST (corpus_id);
ALTER TABLE units ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE TABLE chunks (
    corpus_id integer NOT NULL,
    generation integer NOT NULL,
    chunk integer NOT NULL,
    doc integer NOT NULL,
    char_start integer NOT NULL,
    char_end integer NOT NULL,
    first_unit integer NOT NULL,
    last_unit integer NOT NULL,
    embedding vector({dim}) NOT NULL,
    context text NOT NULL,
    bm25 sparsevec NOT NULL,
    terms integer[] NOT NULL,
    PRIMARY KEY (corpus_id, generation, chunk),
    CHECK (0 <= char_start AND char_start <= char_end)
) PARTITION BY LIST (corpus_id);
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE TABLE vocabulary (
    corpus_id integer NOT NULL,
    generation integer NOT NULL,
    term text NOT NULL,
    term_id integer NOT NULL,
    df_units integer NOT NULL,
    df_chunks integer NOT NULL,
    df_documents integer NOT NULL,
    PRIMARY KEY (corpus_id, generation, term)
) PARTITION BY LIST (corpus_id);
"""


STATES = ("building", "ready", "live", "retired")
_STATE_CHECK = "(" + ", ".join(f"'{s}'" for s in STATES) + ")"


def ensure_schema(conn: psycopg.Connection, dim: int = DEFAULT_DIM) -> int:
    """Create citebot's tables if this database has none, migrate them from an older readable
    version, check the version and dimension. Returns the vector dimension of the database."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        _ensure_extension(conn)
        row = _read_version(conn)
        if row is None:
            conn.execute(_TABLES.replace("{dim}", str(int(dim))).replace("{states}", _STATE_CHECK))
            conn.execute("INSERT INTO citebot_schema (version, dim) VALUES (%s, %s)", (SCHEMA_VERSION, dim))
            return int(dim)
        if row[0] == 2:
            _migrate_2_to_3(conn)
            row = (SCHEMA_VERSION, row[1])
    version, found_dim = row
    if version != SCHEMA_VERSION:
        raise SchemaMismatch("schema version", version, SCHEMA_VERSION)
    if dim != found_dim:
        raise SchemaMismatch("vectors of dimension", found_dim, dim)
    return int(found_dim)


def _migrate_2_to_3(conn: psycopg.Connection) -> None:
    """Version 3 adds the 'ready' state (inside ``ensure_schema``'s transaction and lock)."""
    conn.execute(
        "ALTER TABLE generations DROP CONSTRAINT IF EXISTS generations_state_check, "
        f"ADD CONSTRAINT generations_state_check CHECK (state IN {_STATE_CHECK})"
    )
    conn.execute("UPDATE citebot_schema SET version = %s", (SCHEMA_VERSION,))


def schema_dim(conn: psycopg.Connection) -> int:
    """The vector dimension of a database a reader can answer from (SchemaMismatch otherwise)."""
    row = _read_version(conn)
    if row is None:
        raise SchemaMismatch("schema version", "none", SCHEMA_VERSION)
    if row[0] not in READABLE_VERSIONS:
        raise SchemaMismatch("schema version", row[0], SCHEMA_VERSION)
    return int(row[1])


def _read_version(conn: psycopg.Connection) -> tuple[int, int] | None:
    if conn.execute("SELECT to_regclass('citebot_schema')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT version, dim FROM citebot_schema").fetchone()
    return (int(row[0]), int(row[1])) if row else None


def _ensure_extension(conn: psycopg.Connection) -> None:
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION vector")
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ExtensionMissing(str(exc).strip().splitlines()[0]) from exc
    except psycopg.errors.FeatureNotSupported as exc:
        raise ExtensionMissing(str(exc).strip().splitlines()[0]) from exc
    except psycopg.errors.UndefinedFile as exc:
        raise ExtensionMissing("pgvector is not installed on the server") from exc


# -- partitions ----------------------------------------------------------------------------------


def corpus_table(table: str, corpus_id: int) -> sql.Identifier:
    return sql.Identifier(f"{table}_c{int(corpus_id)}")


def leaf_table(table: str, corpus_id: int, generation: int) -> sql.Identifier:
    return sql.Identifier(f"{table}_c{int(corpus_id)}_g{int(generation)}")


def create_corpus_partitions(conn: psycopg.Connection, corpus_id: int) -> None:
    """The per-corpus partition of every big table, itself partitioned by generation."""
    for table in LEVEL_TABLES:
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {part} PARTITION OF {table} FOR VALUES IN ({cid}) "
                "PARTITION BY LIST (generation)"
            ).format(part=corpus_table(table, corpus_id), table=sql.Identifier(table), cid=sql.Literal(corpus_id))
        )


def create_leaves(conn: psycopg.Connection, corpus_id: int, generation: int) -> None:
    """Standalone tables for one generation, shaped like their parents; attached by ``attach_leaves``
    once they are filled and indexed (bulk load without index maintenance)."""
    for table in LEVEL_TABLES:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {leaf} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE, "
                "CHECK (corpus_id = {cid} AND generation = {gen}))"
            ).format(
                leaf=leaf_table(table, corpus_id, generation),
                table=sql.Identifier(table),
                cid=sql.Literal(corpus_id),
                gen=sql.Literal(generation),
            )
        )
        if table in INLINE_COLUMNS:
            _keep_inline(conn, leaf_table(table, corpus_id, generation), INLINE_COLUMNS[table])


# the BM25 columns a search reads from every matched row stay in the row (MAIN: compressed in place,
# moved out only when a row would not fit a page), and rows up to a page are not compressed at all
# (toast_tuple_target): a chunk's float32 vector plus its BM25 passed the 2 kB default, which put the
# BM25 sparsevec in the TOAST table, an index lookup per matched row (SciFact: ~5 buffers a row)
INLINE_COLUMNS = {"units": ("bm25", "terms"), "chunks": ("bm25", "terms"), "document_terms": ("bm25", "terms")}
TOAST_TUPLE_TARGET = 8160


def _keep_inline(conn: psycopg.Connection, leaf: sql.Identifier, columns: tuple[str, ...]) -> None:
    conn.execute(
        sql.SQL("ALTER TABLE {leaf} SET (toast_tuple_target = {t}), {cols}").format(
            leaf=leaf, t=sql.Literal(TOAST_TUPLE_TARGET),
            cols=sql.SQL(", ").join(sql.SQL("ALTER COLUMN {c} SET STORAGE MAIN").format(c=sql.Identifier(c))
                                    for c in columns),
        )
    )


def attach_leaves(conn: psycopg.Connection, corpus_id: int, generation: int) -> None:
    """At the end of the build's transaction: attach one generation's tables.

    ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the parent, so readers of the live
    generation are not held up, not even while the commit syncs the new tables to disk. The live
    pointer must not move in this same transaction: PostgreSQL sends the parent's cache
    invalidation only after the commit is visible to new snapshots, so a reader could see the new
    pointer and still plan with the partitions it knew before, finding none of the new rows. The
    flip is a second transaction (``generations.flip``), begun after this one's invalidations
    were sent; a reader takes them in when it next locks the parent."""
    for table in LEVEL_TABLES:
        conn.execute(
            sql.SQL("ALTER TABLE {part} ATTACH PARTITION {leaf} FOR VALUES IN ({gen})").format(
                part=corpus_table(table, corpus_id),
                leaf=leaf_table(table, corpus_id, generation),
                gen=sql.Literal(generation),
            )
        )


def drop_leaves(conn: psycopg.Connection, corpus_id: int, generation: int) -> None:
    """Detach (concurrently: readers are never blocked) and drop one generation's tables; finishes
    a detach that was cut short. Needs an autocommit connection."""
    for table in LEVEL_TABLES:
        leaf = leaf_table(table, corpus_id, generation)
        row = conn.execute(
            "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(%s)", (leaf.as_string(conn),)
        ).fetchone()
        if row is not None:
            how = sql.SQL("FINALIZE" if row[0] else "CONCURRENTLY")
            conn.execute(
                sql.SQL("ALTER TABLE {part} DETACH PARTITION {leaf} {how}").format(
                    part=corpus_table(table, corpus_id), leaf=leaf, how=how
                )
            )
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {leaf}").format(leaf=leaf))


def leaf_generations(conn: psycopg.Connection, corpus_id: int) -> set[int]:
    """The generations of a corpus that have tables in the database (attached or not)."""
    rows = conn.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE %s",
        (f"%\\_c{int(corpus_id)}\\_g%",),
    ).fetchall()
    found = set()
    for (name,) in rows:
        table, _, gen = name.rpartition(f"_c{int(corpus_id)}_g")
        if table in LEVEL_TABLES and gen.isdigit():
            found.add(int(gen))
    return found
