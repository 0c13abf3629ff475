"""Find the bot's extensions: every module of ``bot.exts`` (a feature each) with a ``setup`` function.

As python-discord/bot does: walk the package, skip names starting with "_" (helpers), and skip
sub-packages that have no ``setup`` of their own (their modules are then extensions themselves).
Adding a feature is adding a module; nothing lists them by hand.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import NoReturn

from bot import exts


def unqualify(name: str) -> str:
    return name.rsplit(".", maxsplit=1)[-1]


def walk_extensions() -> Iterator[str]:
    """Dotted names of the extensions, in a stable (sorted) order."""

    def on_error(name: str) -> NoReturn:
        raise ImportError(name=name)

    found = []
    for module in pkgutil.walk_packages(exts.__path__, f"{exts.__name__}.", onerror=on_error):
        if unqualify(module.name).startswith("_"):
            continue
        if module.ispkg and not inspect.isfunction(getattr(importlib.import_module(module.name), "setup", None)):
            continue
        found.append(module.name)
    yield from sorted(found)
