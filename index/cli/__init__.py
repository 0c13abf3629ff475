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
from pydantic import ValidationError

from index.errors import CitebotError, InvalidSettings

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


def invalid_settings_line(exc: ValidationError) -> str:
    """One line naming the first invalid variable and the rule it breaks (never its value: it may be
    a token), e.g. ``invalid setting CITEBOT_TOP_K: Input should be greater than or equal to 1``."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    if not errors:
        return "invalid settings"
    first = errors[0]
    loc = first.get("loc") or ("?",)
    name = f"CITEBOT_{str(loc[0]).upper()}"
    if len(loc) > 1 and isinstance(loc[1], int):
        name += f" (item {loc[1] + 1})"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid setting {name}: {message}{more}"


def _is_settings_error(exc: ValidationError) -> bool:
    return exc.title.endswith("Settings")


def main() -> None:
    """The console script: every command, with every expected failure turned into one line on
    stderr (a core error: exit 1; an invalid or unreadable setting: exit 2) instead of a traceback."""
    _configure_logging()
    _register_builtin()
    _register_plugins()
    try:
        app()
    except InvalidSettings as exc:
        typer.echo(f"citebot: {exc}", err=True)
        sys.exit(2)
    except CitebotError as exc:
        typer.echo(f"citebot: {exc}", err=True)
        sys.exit(1)
    except ValidationError as exc:
        if not _is_settings_error(exc):
            raise
        typer.echo(f"citebot: {invalid_settings_line(exc)}", err=True)
        sys.exit(2)
