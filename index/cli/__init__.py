"""The ``citebot`` command line (also ``python -m index``).

Each sub-command lives in its own module and registers itself on ``app``; the
Discord layer adds ``run`` through the ``citebot.commands`` entry point, so this
package never imports discord. Heavy libraries are imported inside commands:
``citebot --help`` stays instant.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import entry_points

import typer

from index.errors import CitebotError

app = typer.Typer(
    name="citebot",
    help="Answer questions about a folder of documents with verbatim quoted citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Build and inspect the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _register_builtin() -> None:
    from index.cli import ask, build

    build.register(index_app)
    ask.register(app)
    for optional in ("index.cli.eval", "index.cli.bench"):
        try:
            module = __import__(optional, fromlist=["register"])
        except ImportError:
            continue
        module.register(app)


def _register_plugins() -> None:
    for ep in entry_points(group="citebot.commands"):
        try:
            ep.load()(app)
        except ImportError as exc:  # a plugin whose package is not installed
            logging.getLogger("citebot").debug("plugin %s not loaded: %s", ep.name, exc)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"citebot: {message}", err=True)
    return typer.Exit(code)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("citebot")
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False


def main() -> None:
    _configure_logging()
    _register_builtin()
    _register_plugins()
    try:
        app()
    except CitebotError as exc:
        typer.echo(f"citebot: {exc}", err=True)
        sys.exit(1)
