"""``citebot ask``: one question, or one per line from stdin with ``-``.

Batch mode answers every input line with exactly one output line (one JSON object with ``--json``):
a line that cannot be asked (blank, too long) gets ``{"question": ..., "error": ...}``, so answers
always line up with questions, and the exit status is 1 at the end if any line failed. Input is
UTF-8; bytes that are not are replaced by U+FFFD (with a warning), in batch and single mode alike.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from index.errors import CitebotError


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def readable(text: str) -> tuple[str, bool]:
    """``text`` as valid Unicode without control characters, and whether bytes had to be replaced.

    The OS hands undecodable bytes of argv or stdin over as lone surrogates (``surrogateescape``);
    they become U+FFFD, as any other lone surrogate does."""
    from index.ingest.controls import strip_controls

    try:
        text.encode("utf-8")
        replaced = False
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        text, replaced = raw.decode("utf-8", "replace"), True
    return strip_controls(text), replaced


def _stdin_lines() -> Iterator[tuple[str, bool]]:
    """Each line of stdin, decoded as UTF-8 (bad bytes → U+FFFD), without its line ending."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (tests, embedding): already str
        for line in sys.stdin:
            yield readable(line.rstrip("\r\n"))
        return
    first = True
    for raw in stream:
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        first = False
        raw = raw.rstrip(b"\r\n")
        try:
            text, replaced = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, replaced = raw.decode("utf-8", "replace"), True
        yield readable(text)[0], replaced


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
    if question != "-":
        question, replaced = readable(question)
        if replaced:
            typer.echo("citebot: the question is not valid UTF-8; undecodable bytes were replaced by �", err=True)
        if not question.strip():
            raise EmptyQuestion()
    engine = Engine.open(settings, index)

    if question != "-":
        answer = engine.ask(question, k)
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False) if as_json else render_plain(answer))
        return
    failed = 0
    for number, (line, replaced) in enumerate(_stdin_lines(), start=1):
        q = line.strip()
        if replaced:
            typer.echo(f"citebot: line {number} is not valid UTF-8; undecodable bytes were replaced by �", err=True)
        try:
            answer = engine.ask(q, k)
        except Exception as exc:  # noqa: BLE001 - one bad line must never drop the ones after it
            failed += 1
            message = str(exc) if isinstance(exc, CitebotError) else f"internal error ({exc.__class__.__name__}: {exc})"
            typer.echo(f"citebot: line {number}: {message}", err=True)
            if as_json:
                typer.echo(json.dumps({"question": q, "error": message}, ensure_ascii=False))
            else:
                typer.echo(f"Q: {q}\nerror: {message}\n")
        else:
            if as_json:
                typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            else:
                typer.echo(f"Q: {q}\n{render_plain(answer)}\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
