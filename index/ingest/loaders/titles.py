"""A page's title when it has no ``# Heading`` of its own, as the root of its blocks' context.

mkdocs pages often start at ``##`` (or with no heading at all): the site shows the title from the
front matter or the ``nav`` of ``mkdocs.yml``, or makes one from the file name. A block of such a
page had no context ("The default behavior is to raise a TimeoutException…" — of what?). After a
folder load, every Markdown page and notebook without a level-1 heading gets, in this order:

1. its front matter ``title:``;
2. its title in the ``nav`` of the ``mkdocs.yml`` (or ``mkdocs.yaml``) at the docs root, if there is
   one (nav paths are relative to its ``docs_dir``, ``docs`` by default);
3. its file name, humanised: ``advanced/event-hooks.md`` → "Event hooks", ``guide/index.md`` → "Guide";

as ``Document.title`` and as the first part of every block's context (``Timeouts > Pool timeout``),
as a ``# Title`` would have been. Pages included by another page keep the includer's heading path.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath

import yaml

from index.ingest.loaders._common import log
from index.models.documents import HEADING, Document

TITLED_FORMATS = frozenset({"markdown", "notebook"})
MKDOCS_FILES = ("mkdocs.yml", "mkdocs.yaml")
_INDEX_STEMS = frozenset({"index", "readme", "_index"})
_ACRONYMS = frozenset(
    ["api", "cli", "faq", "ssl", "tls", "http", "https", "url", "uri", "sdk", "ui", "gui", "io", "json", "yaml", "toml", "orm", "sql", "css", "html", "xml", "jwt", "oauth", "rest", "rpc", "grpc", "tcp", "udp", "dns", "ci", "cd"]
)


class _LenientLoader(yaml.SafeLoader):
    """mkdocs.yml files use tags such as ``!!python/name:material.extensions.emoji.twemoji`` and
    ``!ENV``: read as None, never executed."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def humanize(source: str) -> str:
    """A title made from a file name: ``event-hooks.md`` → "Event hooks", ``ssl.md`` → "SSL",
    ``guide/index.md`` → "Guide"."""
    p = PurePosixPath(source)
    stem = p.stem
    if stem.lower() in _INDEX_STEMS and len(p.parts) > 1:
        stem = p.parts[-2]
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in re.sub(r"[-_.]+", " ", stem).split()]
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def nav_titles(root: Path) -> dict[str, str]:
    """source (relative to ``root``) → title, from the ``nav`` of ``root``'s mkdocs.yml ({} without one)."""
    for name in MKDOCS_FILES:
        path = root / name
        if path.is_file():
            break
    else:
        return {}
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_LenientLoader)  # noqa: S506 (SafeLoader subclass)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.warning("%s: not read (%s); pages without a heading are titled from their file name", name, exc)
        return {}
    if not isinstance(config, dict):
        return {}
    docs_dir = PurePosixPath(str(config.get("docs_dir") or "docs"))
    out: dict[str, str] = {}

    def walk(items: object) -> None:
        if isinstance(items, list):
            for item in items:
                walk(item)
        elif isinstance(items, dict):
            for title, value in items.items():
                if isinstance(value, str) and not re.match(r"^[a-z]+://", value):
                    out.setdefault((docs_dir / value).as_posix(), str(title))
                else:
                    walk(value)

    walk(config.get("nav"))
    return out


def _has_h1(doc: Document) -> bool:
    return any(b.kind == HEADING and b.level == 1 for b in doc.blocks)


def with_title(doc: Document, title: str) -> Document:
    """``doc`` titled ``title``, which heads the context of each of its own blocks."""
    if not title:
        return doc
    blocks = [
        b
        if b.included_from
        else dataclasses.replace(b, context=f"{title} > {b.context}" if b.context else title)
        for b in doc.blocks
    ]
    return dataclasses.replace(doc, title=title, blocks=blocks)


def apply_titles(documents: list[Document], root: Path, *, included: frozenset[str] = frozenset()) -> list[Document]:
    """``documents`` with every Markdown page and notebook that has no level-1 heading (and is not a
    page included by another one) titled by its front matter, the mkdocs nav or its file name."""
    nav: dict[str, str] | None = None
    out: list[Document] = []
    for doc in documents:
        if doc.format not in TITLED_FORMATS or doc.source in included or _has_h1(doc):
            out.append(doc)
            continue
        if nav is None:
            nav = nav_titles(root)
        out.append(with_title(doc, doc.title or nav.get(doc.source) or humanize(doc.source)))
    return out
