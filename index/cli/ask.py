"""``citebot ask``: one question, or one per line from stdin with ``-``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from index.errors import CitebotError


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def ask(
    question: Annotated[str, typer.Argument(help="The question; '-' reads one question per line from stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON (JSONL with '-').")] = False,
    k: Annotated[int | None, typer.Option("--k", min=1, max=100, help="Passages to return.")] = None,
    index: Annotated[Path | None, typer.Option("--index", help="Index directory (default: settings).")] = None,
) -> None:
    """Answer a question with verbatim quotes from the indexed documents."""
    from index.errors import EmptyQuestion
    from index.query.engine import Engine
    from index.query.render import render_plain
    from index.settings import Settings

    settings = Settings()
    if question != "-" and not question.strip():
        raise EmptyQuestion()
    engine = Engine.open(settings, index)

    if question != "-":
        answer = engine.ask(question, k)
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_plain(answer))
        return
    failed = 0
    for line in sys.stdin:
        q = line.strip()
        if not q:
            continue
        try:
            answer = engine.ask(q, k)
        except CitebotError as exc:
            failed += 1
            typer.echo(f"citebot: {exc}", err=True)
            if as_json:
                typer.echo(json.dumps({"question": q, "error": str(exc)}, ensure_ascii=False))
            continue
        if as_json:
            typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            typer.echo(f"Q: {q}\n{render_plain(answer)}\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
