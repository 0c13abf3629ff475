"""What a file in a docs folder is: a document format to load, or a reason not to index it.

Documentation folders hold more than documents: images, stylesheets and scripts of the site,
theme templates (Jinja ``.html`` under ``overrides/`` or ``_templates/``), the Sphinx ``conf.py``.
Those are counted by reason in the build summary and never indexed. Changelogs and release notes
are indexed with ``Document.role = CHANGELOG``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from index.ingest.loaders.languages import CODE_LANGUAGES
from index.models.documents import CHANGELOG, DOCS, SOURCE

MARKDOWN = frozenset({".md", ".markdown", ".mdx", ".mkd", ".qmd"})
_BY_SUFFIX: dict[str, str] = {
    **dict.fromkeys(MARKDOWN, "markdown"),
    ".rst": "rst",
    ".rest": "rst",
    ".ipynb": "notebook",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".jsonl": "beir",
    **dict.fromkeys(CODE_LANGUAGES, "code"),
}

IMAGE = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".webp",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".avif",
        ".drawio",
        ".excalidraw",
    ]
)
STYLE_OR_SCRIPT = frozenset([".css", ".scss", ".sass", ".less", ".map"])
FONT = frozenset([".woff", ".woff2", ".ttf", ".otf", ".eot"])
TEMPLATE = frozenset([".j2", ".jinja", ".jinja2", ".tmpl", ".tpl"])
_SITE_DIRS = frozenset({"overrides", "_templates", "templates", "_themes", "_theme", "_static"})
_ASSET_SCRIPT_DIRS = frozenset({"js", "javascripts", "assets", "static", "_static", "overrides"})
_TEMPLATE_SYNTAX = re.compile(rb"\{%-?\s*\w|\{\{\s*[\w.]+")

SKIP_IMAGE = "image"
SKIP_STYLE = "stylesheet or script of the site"
SKIP_FONT = "font"
SKIP_TEMPLATE = "template or theme file"
SKIP_CONFIG = "docs build configuration"
SKIP_UNSUPPORTED = "unsupported file type"
SKIP_REQUIREMENTS = "dependency list"
_REQUIREMENTS = re.compile(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$", re.I)

_CHANGELOG_NAME = re.compile(
    r"^(?:change[-_ ]?logs?|changes|history|news|release[-_ ]?notes?|releases|whats[-_ ]?new)(?:[-_. ].*)?$",
    re.I,
)
# One release's notes named by its version: ``release-2.5``, ``v1.2.0``, ``2.0``, ``version_3.1rc1``.
# At least ``X.Y`` (a bare ``1`` or ``01-intro`` is a page number, not a release); matched against the
# name without its last suffix, since the version has dots of its own.
_VERSION_NAME = re.compile(
    r"^(?:(?:release|version)s?[-_ ]?|v)?\d+(?:\.\d+)+(?:[-_.]?(?:a|b|rc|alpha|beta|dev|post)\d*)?$", re.I
)
# Folder names that hold changelogs, compared with case and the separators ``-``, ``_``, space dropped
# (``change_log``, ``Release-Notes``, ``whats_new`` are spellings of the same folder).
_CHANGELOG_DIRS = frozenset({"changelog", "changelogs", "changes", "releasenotes", "releases", "whatsnew"})
_DIR_SEPARATORS = re.compile(r"[-_ ]")


def classify(rel: str, path: Path) -> tuple[str | None, str | None]:
    """(format to load it as, None) or (None, why it is not indexed) for the file at ``rel``."""
    p = PurePosixPath(rel).with_name(path.name)  # the file's own name, under the folders ``rel`` names
    suffix = p.suffix.lower()
    dirs = {d.lower() for d in p.parts[:-1]}
    if suffix in IMAGE:
        return None, SKIP_IMAGE
    if suffix in STYLE_OR_SCRIPT or (
        suffix in (".js", ".mjs") and (dirs & _ASSET_SCRIPT_DIRS or p.name.endswith(".min.js"))
    ):
        return None, SKIP_STYLE
    if suffix in FONT:
        return None, SKIP_FONT
    if suffix in TEMPLATE or dirs & _SITE_DIRS:
        return None, SKIP_TEMPLATE
    if _REQUIREMENTS.match(p.name):
        return None, SKIP_REQUIREMENTS
    if p.name == "conf.py" and next(path.parent.rglob("*.rst"), None) is not None:
        return None, SKIP_CONFIG
    fmt = _BY_SUFFIX.get(suffix)
    if fmt is None:
        return None, SKIP_UNSUPPORTED
    if fmt == "html" and _looks_like_template(path):
        return None, SKIP_TEMPLATE
    return fmt, None


def _looks_like_template(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(16384)
    except OSError:
        return False
    return bool(_TEMPLATE_SYNTAX.search(head))


def role_of(rel: str, fmt: str) -> str:
    """CHANGELOG for changelogs and release notes, SOURCE for code, else DOCS."""
    p = PurePosixPath(rel)
    stem = p.name.split(".", 1)[0] if not p.name.startswith(".") else p.name
    dirs = {_DIR_SEPARATORS.sub("", d.lower()) for d in p.parts[:-1]}
    if _CHANGELOG_NAME.match(stem) or _VERSION_NAME.match(p.stem) or dirs & _CHANGELOG_DIRS:
        return CHANGELOG
    return SOURCE if fmt == "code" else DOCS
