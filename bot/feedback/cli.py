"""``citebot feedback …``: what the bot's users told it, for the operator (no token, no Discord).

    citebot feedback gaps [--format md|csv] [--out FILE] [--corpus NAME]  # what the docs did not answer
    citebot feedback export --qa golden.jsonl [--corpus NAME]            # 👍-voted answers as a golden set
    citebot feedback forget --user 123456789012345678   # delete everything of one user
    citebot feedback purge [--days 180]                  # apply the retention now

Registered on the main CLI through the ``citebot.commands`` entry point; imports neither discord
nor the model.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.feedback.store import FeedbackStore
    from bot.settings import FeedbackSettings

feedback_app = typer.Typer(help="What users told the bot: gaps in the docs, a golden set, forgetting a user, purging old records.", no_args_is_help=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="A SQLite feedback database (default: the bot's: CITEBOT_FEEDBACK_DSN, else "
                 "CITEBOT_FEEDBACK_DB).", show_default=False),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    print(f"citebot: {message}", file=sys.stderr)
    return typer.Exit(code)


def load_settings() -> FeedbackSettings:
    from pydantic import ValidationError

    from bot.settings import FeedbackSettings, invalid_setting

    try:
        return FeedbackSettings()
    except ValidationError as exc:
        raise fail(invalid_setting(exc), 2) from None


CorpusOption = Annotated[
    str | None,
    typer.Option("--corpus", help="Only answers from this corpus of CITEBOT_CORPORA (export: checked against its "
                 "docs folder).", show_default=False),
]


def corpus_docs(corpus: str) -> Path:
    """The docs folder of a corpus the settings name; exit 2 with one line for any other name."""
    corpora = load_settings().corpus_settings()
    if corpus not in corpora:
        raise fail(f"no corpus {corpus!r} (CITEBOT_CORPORA names: {', '.join(corpora)})", 2)
    return Path(corpora[corpus].docs_dir)


def open_store(db: Path | None, *, must_exist: bool = True) -> FeedbackStore:
    """``--db FILE`` (SQLite), else the store the bot uses: CITEBOT_FEEDBACK_DSN (PostgreSQL) or
    CITEBOT_FEEDBACK_DB."""
    from bot.feedback import open_feedback_store
    from bot.feedback.store import FeedbackStore
    from index.errors import CitebotError

    settings = load_settings() if db is None else None
    if settings is not None and settings.feedback_postgres_dsn() is not None:
        store = open_feedback_store(settings)
    else:
        path = db or settings.feedback_db  # type: ignore[union-attr]
        if must_exist and not path.exists():
            raise fail(f"no feedback database at {path} (set CITEBOT_FEEDBACK_DB or pass --db)")
        store = FeedbackStore(path, key_file=settings.feedback_key_file if settings is not None else None)
    try:
        store.init()
    except CitebotError as exc:
        raise fail(str(exc)) from None
    return store


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@feedback_app.command("forget")
def forget(
    user: Annotated[str, typer.Option("--user", help="The Discord user id (a number) to forget.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Delete one user's votes, their questions and the answers to them, and their thread records."""
    if not user.strip().isdigit():
        raise fail(f"--user takes a Discord user id (a number), not {user!r}", 2)
    gone = open_store(db).forget(int(user))
    extra = sum(gone.rows.values())
    text = f"Forgot user {user.strip()}: {_plural(gone.votes, 'vote')} and {_plural(gone.answers, 'stored answer')}"
    print(text + (f" and {_plural(extra, 'other record')}" if extra else "") + " deleted.")


@feedback_app.command("purge")
def purge(
    days: Annotated[
        float | None, typer.Option("--days", help="Keep this many days (default: CITEBOT_FEEDBACK_RETENTION_DAYS).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Delete stored questions, answers and votes older than the retention period."""
    days = load_settings().feedback_retention_days if days is None else days
    if days <= 0:
        raise fail("nothing to purge: the retention is 0 (keep forever); pass --days N", 2)
    counts = open_store(db).purge(days)
    print(f"Purged what is older than {days:g} days: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None


@feedback_app.command("gaps")
def gaps(
    fmt: Annotated[str, typer.Option("--format", help="md (Markdown, to file as docs issues) or csv.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only questions from this date on (YYYY-MM-DD).", show_default=False)
    ] = None,
    db: DbOption = None,
    corpus: CorpusOption = None,
) -> None:
    """Abstained and 👎-voted questions, grouped by the passage that came nearest, with counts and dates."""
    from bot.feedback.gaps import collect, to_csv, to_markdown

    if fmt not in ("md", "csv"):
        raise fail(f"--format is md or csv, not {fmt!r}", 2)
    if since is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise fail(f"--since takes a date like 2024-05-01, not {since!r}", 2)
    if corpus is not None:
        corpus_docs(corpus)
    groups = collect(open_store(db), since=since, corpus=corpus)
    _write(to_markdown(groups) if fmt == "md" else to_csv(groups), out)
    if out is not None:
        n = sum(len(g.gaps) for g in groups)
        print(f"Wrote {_plural(n, 'question')} in {_plural(len(groups), 'group')} to {out}.")


@feedback_app.command("export")
def export(
    qa: Annotated[Path, typer.Option("--qa", help="Write the golden set (docsqa JSONL) to this file.", show_default=False)],
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="Check each quote is still in its document (default: CITEBOT_DOCS_DIR, if present).",
                     show_default=False),
    ] = None,
    db: DbOption = None,
    corpus: CorpusOption = None,
) -> None:
    """👍-voted answers as a docsqa golden set that `citebot eval --qa FILE` runs."""
    from bot.feedback.export import golden_set, to_jsonl

    docs_dir = docs or (corpus_docs(corpus) if corpus is not None else load_settings().docs_dir)
    if docs is not None and not docs.is_dir():
        raise fail(f"documents folder not found: {docs}", 2)
    result = golden_set(open_store(db), docs_dir if docs_dir.is_dir() else None, corpus)
    _write(to_jsonl(result.items), qa)
    line = f"Wrote {_plural(len(result.items), 'question')} to {qa}"
    if result.skipped:
        line += " (left out: " + ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items())) + ")"
    print(line + ". Run it with: citebot eval --qa " + str(qa))


def register(app: typer.Typer) -> None:
    """Add ``citebot feedback`` to the CLI."""
    app.add_typer(feedback_app, name="feedback")
