"""Which files of a docs folder are read: the walk, the ignore rules, the symlink and secret policy.

``discover`` walks the folder and returns the files to load, plus every file it left out with
the reason. The rules, in the order they are applied to each entry:

1. A name that is not valid UTF-8 or holds control characters is skipped (with a warning):
   it could not be stored or shown safely.
2. Ignore rules, in gitignore syntax (``pathspec``), highest precedence first: the
   ``CITEBOT_EXCLUDE`` patterns (relative to the docs folder), then ``.citebotignore`` files
   (the docs folder's own and nested ones; the deepest that matches wins), then ``.gitignore``
   files (nested ones, the docs folder's own and — when the docs folder is inside a git work
   tree — those between the repository root and the docs folder, plus ``.git/info/exclude``).
   ``!pattern`` re-includes, as in git; a file inside an ignored folder cannot be re-included.
   When git itself ignores the docs folder (say ``docs/_build/html``), the rules of the folders
   above it are not applied: the user asked for that folder.
3. Key and credential files (``.env``, ``*.pem``, ``*.key``, ``id_rsa*``, ``*.p12``, ``.netrc``,
   ``credentials*``… see ``SECRET_NAMES``) are never read, whatever the ignore rules say.
4. Dotfiles and dot-folders are never read.
5. A symbolic link whose target lies outside the docs folder is skipped with a warning unless
   ``allow_symlinks_outside`` is set; even then its target must pass rules 3 and 4. A link to a
   folder inside the docs folder is not followed (that folder is walked anyway), a link whose
   target is secret, hidden or ignored is skipped like its target, and a broken link is skipped.
6. Anything that is not a regular file or folder (a FIFO, a socket, a device) is skipped.
7. A file the loaders do not handle is left out silently.

Skips that a user would want to know about (1, 3, 5, 6, unreadable folders) are logged as
warnings and listed in ``Discovery.skipped``; the expected ones (ignored, hidden, unsupported) are
only counted. ``Discovery.counts`` counts every skip by reason.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from index.errors import DocsNotFound

log = logging.getLogger("citebot.loaders")

# reasons (the keys of Discovery.counts); the first ones are warned about, the last three are not
BAD_NAME = "file name is not valid UTF-8 or has control characters"
SECRET = "a key or credentials file (never indexed)"
OUTSIDE = "a symbolic link to outside the docs folder (set CITEBOT_ALLOW_SYMLINKS_OUTSIDE=true to follow it)"
BROKEN_LINK = "a broken symbolic link"
LINK_LOOP = "a symbolic link to a folder already walked"
SPECIAL = "not a regular file"
UNREADABLE_FOLDER = "unreadable folder"
HIDDEN = "hidden (dotfile)"
UNSUPPORTED = "unsupported file type"
# ignored: "ignored by <file>" or "excluded by CITEBOT_EXCLUDE"
EXCLUDE_ORIGIN = "CITEBOT_EXCLUDE"

# (not .md or .rst: "credentials.md" is a docs page about them)
_DATA_SUFFIXES = ("json", "yml", "yaml", "toml", "ini", "cfg", "conf", "xml", "csv", "txt")
# key and credential files, matched case-insensitively against a file's name (fnmatch syntax)
SECRET_NAMES = (
    ".env", ".env.*", "*.env", ".envrc",
    "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx", "*.ppk", "*.gpg", "*.pgp",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
    ".netrc", "_netrc", ".npmrc", ".pypirc", ".pgpass", ".git-credentials", ".htpasswd", ".dockercfg",
    "credentials", "*.credentials", "client_secret*.json", "service-account*.json", "*.tfvars",
    *(f"{stem}.{ext}" for stem in ("credentials", "*_credentials", "secrets") for ext in _DATA_SUFFIXES),
)
IGNORE_FILE = ".citebotignore"
MAX_IGNORE_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class Policy:
    """What ``discover`` may read, from the settings (``Policy.from_settings``) or given directly."""

    exclude: tuple[str, ...] = ()  # gitignore-syntax patterns relative to the docs folder
    respect_gitignore: bool = True
    allow_symlinks_outside: bool = False

    @classmethod
    def from_settings(cls, settings: object) -> Policy:
        return cls(
            exclude=tuple(getattr(settings, "exclude", ())),
            respect_gitignore=bool(getattr(settings, "respect_gitignore", True)),
            allow_symlinks_outside=bool(getattr(settings, "allow_symlinks_outside", False)),
        )


@dataclass(frozen=True)
class Skipped:
    path: str  # relative to the docs folder, shown safely (undecodable bytes as \\xNN)
    reason: str


@dataclass(frozen=True)
class Found:
    source: str  # the path relative to the docs folder (POSIX separators): the document's name
    path: Path  # where to read it (inside the docs folder; through the link for a followed link)


@dataclass
class Discovery:
    files: list[Found] = field(default_factory=list)  # sorted by source
    skipped: list[Skipped] = field(default_factory=list)  # warned about, in walk order
    counts: Counter[str] = field(default_factory=Counter)  # every skip, by reason


def is_secret_name(name: str) -> bool:
    lower = name.lower()
    return any(fnmatch.fnmatchcase(lower, pattern) for pattern in SECRET_NAMES)


def safe_name(name: str) -> str:
    """A name as it can be shown: bytes that are not UTF-8 as ``\\xNN``, control characters escaped."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)


def _bad_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by the OS layer as lone surrogates
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d" for ch in name)


# --- ignore rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """One ignore file (or the exclude setting): patterns for paths under ``under`` (docs-relative,
    "" = everywhere, else ends in "/"), matched as ``prefix`` + the rest of the path."""

    spec: pathspec.PathSpec
    origin: str  # "docs/.gitignore", "CITEBOT_EXCLUDE"…
    under: str = ""
    prefix: str = ""

    def decide(self, rel: str) -> bool | None:
        """True = ignored, False = re-included (``!pattern``), None = no pattern matched."""
        if not rel.startswith(self.under):
            return None
        return self.spec.check_file(self.prefix + rel[len(self.under) :]).include


def _compile(lines: Iterable[str], origin: str) -> pathspec.PathSpec | None:
    good = []
    for number, line in enumerate(lines, start=1):
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception as exc:  # pathspec raises several types for a malformed pattern
            log.warning("%s:%d: ignoring the bad pattern %r (%s)", origin, number, line, exc)
            continue
        good.append(line)
    spec = pathspec.GitIgnoreSpec.from_lines(good)
    return spec if len(spec) else None


def _read_rules(path: Path, origin: str, under: str = "", prefix: str = "") -> _Rules | None:
    try:
        if not path.is_file():  # missing (or a FIFO, a folder…)
            return None
        if path.stat().st_size > MAX_IGNORE_FILE_BYTES:
            log.warning("%s: not read (over 1 MB)", origin)
            return None
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        log.warning("%s: not read (%s)", origin, exc.strerror or exc)
        return None
    spec = _compile(text.splitlines(), origin)
    return _Rules(spec, origin, under, prefix) if spec is not None else None


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _ancestor_rules(root: Path, policy: Policy) -> list[_Rules]:
    """.git/info/exclude and the .gitignore files from the repository root down to the docs folder's
    parent (lowest precedence first); [] outside a work tree, or when git ignores the docs folder."""
    if not policy.respect_gitignore:
        return []
    repo = _git_root(root)
    if repo is None:
        return []
    parts = root.relative_to(repo).parts
    root_rel = "".join(f"{p}/" for p in parts)  # the docs folder, relative to the repository
    located: list[tuple[str, _Rules]] = []  # (the rule file's folder relative to the repository, rules)
    exclude = _read_rules(repo / ".git" / "info" / "exclude", ".git/info/exclude", prefix=root_rel)
    if exclude is not None:
        located.append(("", exclude))
    for depth in range(len(parts)):
        where = "/".join(parts[:depth]) + "/" if depth else ""
        found = _read_rules(repo / where / ".gitignore", f"{where}.gitignore", prefix=root_rel[len(where) :])
        if found is not None:
            located.append((where, found))
    # Is the docs folder (or a folder above it) ignored by git? Then it was asked for on purpose.
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth]) + "/"
        for where, rules in reversed(located):
            decided = rules.spec.check_file(folder[len(where) :]).include if folder.startswith(where) else None
            if decided is not None:
                if decided:
                    log.info("the docs folder is ignored by git (%s): the rules above it are not applied", rules.origin)
                    return []
                break
    return [rules for _, rules in located]


# --- the walk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    path: Path  # the folder as reached from the docs folder (through a link, for a followed one)
    rel: str  # docs-relative, "" or ending in "/"
    git: tuple[_Rules, ...]  # .gitignore files in force, lowest precedence first
    own: tuple[_Rules, ...]  # .citebotignore files in force


def _ignored_reason(origin: str) -> str:
    if origin == EXCLUDE_ORIGIN:
        return f"excluded by {EXCLUDE_ORIGIN}"
    return f"ignored by {IGNORE_FILE}" if origin.endswith(IGNORE_FILE) else "ignored by .gitignore"


class _Walker:
    def __init__(self, root: Path, wanted: Callable[[str], bool], policy: Policy) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.wanted = wanted
        self.policy = policy
        self.out = Discovery()
        spec = _compile(policy.exclude, EXCLUDE_ORIGIN)
        self.exclude = _Rules(spec, EXCLUDE_ORIGIN) if spec is not None else None
        self.ancestors = tuple(_ancestor_rules(self.real_root, policy))
        self.followed: list[Path] = [self.real_root]  # real folders walked (loops through links)

    def run(self) -> Discovery:
        stack = [self.enter(_Frame(self.root, "", self.ancestors, ()))]
        while stack:
            frame = stack.pop()
            for entry in self.entries(frame):
                child = self.visit(frame, entry)
                if child is not None:
                    stack.append(self.enter(child))
        self.out.files.sort(key=lambda f: f.source)
        return self.out

    # where a skip goes
    def warn(self, rel: str, reason: str) -> None:
        self.out.skipped.append(Skipped(rel, reason))
        self.out.counts[reason] += 1
        log.warning("skipping %s: %s", rel, reason)

    def quiet(self, rel: str, reason: str, detail: str = "") -> None:
        self.out.counts[reason] += 1
        log.debug("leaving out %s: %s", rel, detail or reason)

    def enter(self, frame: _Frame) -> _Frame:
        """The frame with the folder's own ignore files added."""
        git, own = frame.git, frame.own
        if self.policy.respect_gitignore:
            rules = _read_rules(frame.path / ".gitignore", f"{frame.rel}.gitignore", under=frame.rel)
            git += (rules,) if rules else ()
        rules = _read_rules(frame.path / IGNORE_FILE, f"{frame.rel}{IGNORE_FILE}", under=frame.rel)
        own += (rules,) if rules else ()
        return _Frame(frame.path, frame.rel, git, own)

    def ignored_by(self, frame: _Frame, rel: str) -> str | None:
        """The ignore file whose rule ignores ``rel`` (a folder ends in "/"), or None."""
        rules = (*((self.exclude,) if self.exclude else ()), *reversed(frame.own), *reversed(frame.git))
        for rule in rules:
            decided = rule.decide(rel)
            if decided is not None:
                return rule.origin if decided else None
        return None

    def entries(self, frame: _Frame) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(frame.path) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.warn(frame.rel.rstrip("/") or ".", f"{UNREADABLE_FOLDER} ({exc.strerror or exc})")
            return []

    def visit(self, frame: _Frame, entry: os.DirEntry[str]) -> _Frame | None:
        """Record one entry; return the frame of a folder to walk."""
        name = entry.name
        rel = frame.rel + name
        if name in (".gitignore", IGNORE_FILE):
            return None  # rules, read by ``enter``
        if _bad_name(name):
            self.warn(frame.rel + safe_name(name), BAD_NAME)
            return None
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()  # through a link, too
        except OSError:
            is_link, is_dir = True, False
        origin = self.ignored_by(frame, rel + "/" if is_dir else rel)
        if origin is not None:
            self.quiet(rel, _ignored_reason(origin), f"ignored by {origin}")
            return None
        if not is_dir and is_secret_name(name):
            self.warn(rel, SECRET)
            return None
        if name.startswith("."):
            self.quiet(rel, HIDDEN)
            return None
        path = Path(entry.path)
        if is_link:
            return self.visit_link(frame, rel, path)
        if is_dir:
            return _Frame(path, rel + "/", frame.git, frame.own)
        try:
            regular = stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
        except OSError:
            regular = False
        return self.file(rel, path, regular)

    def file(self, rel: str, path: Path, regular: bool) -> None:
        if not regular:
            self.warn(rel, SPECIAL)
        elif not self.wanted(path.name):
            self.quiet(rel, UNSUPPORTED)
        else:
            self.out.files.append(Found(rel, path))

    def visit_link(self, frame: _Frame, rel: str, path: Path) -> _Frame | None:
        """A symbolic link: judged by where it leads."""
        try:
            target = path.resolve(strict=True)
            mode = target.stat().st_mode
        except (OSError, RuntimeError):  # a missing target, or a loop of links
            self.warn(rel, BROKEN_LINK)
            return None
        inside = target.is_relative_to(self.real_root)
        if not inside and not self.policy.allow_symlinks_outside:
            self.warn(rel, OUTSIDE)
            return None
        base = self.real_root if inside else Path(os.path.commonpath([self.real_root, target]))
        parts = target.relative_to(base).parts
        if parts and not stat.S_ISDIR(mode) and is_secret_name(parts[-1]):
            self.warn(rel, SECRET)
            return None
        if any(p.startswith(".") for p in parts):
            self.quiet(rel, HIDDEN)
            return None
        if inside:
            origin = self.ignored_inside("/".join(parts) + ("/" if stat.S_ISDIR(mode) else ""))
            if origin is not None:
                self.quiet(rel, _ignored_reason(origin), f"links to a file ignored by {origin}")
                return None
        if stat.S_ISDIR(mode):
            if inside or any(target.is_relative_to(f) or f.is_relative_to(target) for f in self.followed):
                self.quiet(rel, LINK_LOOP)  # walked already, or would walk a folder twice
                return None
            self.followed.append(target)
            return _Frame(path, rel + "/", frame.git, frame.own)
        return self.file(rel, path, stat.S_ISREG(mode))

    def ignored_inside(self, target_rel: str) -> str | None:
        """The ignore file that ignores a docs-relative path (or a folder above it), or None."""
        frame = self.enter(_Frame(self.root, "", self.ancestors, ()))
        parts = target_rel.rstrip("/").split("/")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            rel = frame.rel + part + ("/" if not last or target_rel.endswith("/") else "")
            origin = self.ignored_by(frame, rel)
            if origin is not None or last:
                return origin
            frame = self.enter(_Frame(frame.path / part, rel, frame.git, frame.own))
        return None


def discover(docs_dir: Path, wanted: Callable[[str], bool], policy: Policy | None = None) -> Discovery:
    """The files under ``docs_dir`` to load (``wanted(name)``: whether a loader reads such a file)."""
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise DocsNotFound(docs_dir)
    return _Walker(docs_dir, wanted, policy or Policy()).run()
