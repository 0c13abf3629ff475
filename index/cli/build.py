"""``citebot index build`` and ``citebot index info``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

# the settings of every corpus CITEBOT_CORPORA names (name -> settings with its docs folder, index
# directory and store corpus): set by the bot's CLI plugin (``bot.cli.register``), which owns that file
_corpora: Callable[[], dict[str, Any]] | None = None


def register(index_app: typer.Typer) -> None:
    index_app.command("build")(build)
    index_app.command("info")(info)


def register_corpora(resolver: Callable[[], dict[str, Any]] | None) -> None:
    """Make ``citebot index build --corpus NAME`` read the corpora through ``resolver``."""
    global _corpora
    _corpora = resolver


def corpus_settings(name: str) -> Any:
    """The settings of one corpus of CITEBOT_CORPORA; InvalidSettings (one line) for any other name."""
    from index.errors import InvalidSettings

    if _corpora is None:
        raise InvalidSettings("--corpus needs the bot's CITEBOT_CORPORA (the bot package is not installed)")
    corpora = _corpora()
    if name not in corpora:
        raise InvalidSettings(f"no corpus {name!r} (CITEBOT_CORPORA names: {', '.join(corpora)})")
    return corpora[name]


def build(
    docs: Annotated[Path | None, typer.Option("--docs", help="Documents folder (default: settings, seeds/).")] = None,
    index: Annotated[Path | None, typer.Option("--index", help="Index directory (default: settings).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Embed everything again (reuse no vector).")] = False,
    corpus: Annotated[str | None, typer.Option(
        "--corpus", help="Build this corpus of CITEBOT_CORPORA: its docs folder into its index directory (and, "
        "with CITEBOT_STORE=postgres, into its corpus in the database).", show_default=False)] = None,
) -> None:
    """Build the index over a folder of documents (incremental and atomic)."""
    from index.ingest.builder import build_index
    from index.ingest.progress import RichProgress, Silent
    from index.settings import Settings

    settings = Settings() if corpus is None else corpus_settings(corpus)
    progress = Silent() if quiet else RichProgress()
    try:
        report = build_index(settings, docs, index, progress=progress, full=full)
    except BaseException as exc:
        progress.close(finished=False)
        if isinstance(exc, KeyboardInterrupt):
            typer.echo(f"citebot: build interrupted; the index at {index or settings.index_dir} is unchanged", err=True)
        raise  # the CLI's error handler, or typer's exit 130 for Ctrl-C
    progress.close()
    typer.echo(f"indexed {report.summary()} → {index or settings.index_dir}")
    for line in report.details:  # what the folder held: formats, block kinds, what was left out and why
        typer.echo(f"  {line}")


def info(
    index: Annotated[Path | None, typer.Option("--index", help="Index directory (default: settings).")] = None,
) -> None:
    """Show what an index holds and how it was built, and check it whole (every checksum, every vector):
    a damaged index is reported in one line with exit status 1."""
    import json

    from index.errors import CorruptIndex
    from index.settings import Settings
    from index.storage.generations import current
    from index.storage.manifest import Manifest
    from index.storage.store import read_index

    settings = Settings()  # an invalid setting is reported (one line) even when --index is given
    gen = current(Path(index or settings.index_dir))
    manifest = Manifest.read(gen.path)
    health = "ok"
    try:
        read_index(gen, full_check=True)
    except CorruptIndex as exc:
        health = str(exc)
    typer.echo(json.dumps(manifest.summary() | {"health": health}, indent=1, ensure_ascii=False))
    if health != "ok":
        typer.echo(f"citebot: {health}", err=True)
        raise typer.Exit(1)
