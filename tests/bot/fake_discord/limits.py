"""What Discord refuses in a message body, checked the way Discord checks it (400 "Invalid Form Body").

https://discord.com/developers/docs/resources/message#embed-object-embed-limits and
https://discord.com/developers/docs/interactions/message-components: the numbers below are Discord's.
Each problem is one line naming the field, so a failing test says exactly what was over.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT = 2000
EMBEDS = 10
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000  # all embeds of one message together
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80
THREAD_NAME = 100
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
APPLIED_TAGS = 5
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")  # a slash command's or option's name (lowercase where it has case)
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25

EPHEMERAL = 1 << 6


def _embed_problems(i: int, embed: dict[str, Any]) -> tuple[list[str], int]:
    problems: list[str] = []
    where = f"embeds.{i}"
    title = embed.get("title") or ""
    description = embed.get("description") or ""
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    fields = embed.get("fields") or []
    if len(title) > TITLE:
        problems.append(f"{where}.title: {len(title)} > {TITLE}")
    if len(description) > DESCRIPTION:
        problems.append(f"{where}.description: {len(description)} > {DESCRIPTION}")
    if len(footer) > FOOTER:
        problems.append(f"{where}.footer.text: {len(footer)} > {FOOTER}")
    if len(author) > AUTHOR:
        problems.append(f"{where}.author.name: {len(author)} > {AUTHOR}")
    if len(fields) > FIELDS:
        problems.append(f"{where}.fields: {len(fields)} > {FIELDS}")
    total = len(title) + len(description) + len(footer) + len(author)
    for j, f in enumerate(fields):
        name, value = f.get("name") or "", f.get("value") or ""
        if not name or len(name) > FIELD_NAME:
            problems.append(f"{where}.fields.{j}.name: length {len(name)} not in 1..{FIELD_NAME}")
        if not value or len(value) > FIELD_VALUE:
            problems.append(f"{where}.fields.{j}.value: length {len(value)} not in 1..{FIELD_VALUE}")
        total += len(name) + len(value)
    return problems, total


def _component_problems(rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(rows) > ACTION_ROWS:
        problems.append(f"components: {len(rows)} rows > {ACTION_ROWS}")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") != 1 or not items or len(items) > BUTTONS_PER_ROW:
            problems.append(f"components.{i}: an action row holds 1..{BUTTONS_PER_ROW} components")
        for j, item in enumerate(items):
            where = f"components.{i}.components.{j}"
            label = item.get("label") or ""
            if len(label) > BUTTON_LABEL:
                problems.append(f"{where}.label: {len(label)} > {BUTTON_LABEL}")
            if item.get("style") == 5:  # link button: a url, no custom_id
                if not item.get("url"):
                    problems.append(f"{where}.url: required for a link button")
                continue
            custom_id = item.get("custom_id") or ""
            if not custom_id or len(custom_id) > CUSTOM_ID:
                problems.append(f"{where}.custom_id: length {len(custom_id)} not in 1..{CUSTOM_ID}")
            if custom_id in seen:
                problems.append(f"{where}.custom_id: duplicate {custom_id!r}")
            seen.add(custom_id)
            if not label and not item.get("emoji"):
                problems.append(f"{where}: a button needs a label or an emoji")
    return problems


def message_problems(body: dict[str, Any], *, edit: bool = False) -> list[str]:
    """Everything Discord would reject in a create (or, with ``edit``, an edit) message body."""
    problems: list[str] = []
    content = body.get("content") or ""
    if len(content) > CONTENT:
        problems.append(f"content: {len(content)} > {CONTENT}")
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.append(f"embeds: {len(embeds)} > {EMBEDS}")
    total = 0
    for i, embed in enumerate(embeds):
        found, size = _embed_problems(i, embed)
        problems += found
        total += size
    if total > EMBED_TOTAL:
        problems.append(f"embeds: {total} characters in all > {EMBED_TOTAL}")
    problems += _component_problems(body.get("components") or [])
    allowed = body.get("allowed_mentions") or {}
    for kind in ("roles", "users"):
        if kind in (allowed.get("parse") or []) and allowed.get(kind):
            problems.append(f"allowed_mentions: parse {kind!r} and a {kind} list are mutually exclusive")
    if not edit and not content and not embeds and not body.get("components") and not body.get("attachments"):
        problems.append("Cannot send an empty message")
    return problems


def autocomplete_problems(choices: list[dict[str, Any]]) -> list[str]:
    problems = []
    if len(choices) > AUTOCOMPLETE_CHOICES:
        problems.append(f"choices: {len(choices)} > {AUTOCOMPLETE_CHOICES}")
    for i, c in enumerate(choices):
        name, value = str(c.get("name") or ""), str(c.get("value") or "")
        if not 1 <= len(name) <= CHOICE_NAME:
            problems.append(f"choices.{i}.name: length {len(name)} not in 1..{CHOICE_NAME}")
        if not 1 <= len(value) <= CHOICE_VALUE:
            problems.append(f"choices.{i}.value: length {len(value)} not in 1..{CHOICE_VALUE}")
    return problems


def _name_problems(where: str, name: str) -> list[str]:
    if not COMMAND_NAME.match(name) or name != name.lower():
        return [f"{where}.name: {name!r} is not 1..32 lowercase letters, digits, '-' or '_'"]
    return []


def command_problems(i: int, cmd: dict[str, Any]) -> list[str]:
    """What Discord refuses in one command of a bulk overwrite (application command structure)."""
    where, kind, name = str(i), cmd.get("type", 1), cmd.get("name") or ""
    if kind in (2, 3):  # user and message commands: free-form names, no description, no options
        problems = [] if 1 <= len(name) <= 32 else [f"{where}.name: length {len(name)} not in 1..32"]
        if cmd.get("description") or cmd.get("options"):
            problems.append(f"{where}: context menu commands have no description or options")
        return problems
    problems = _name_problems(where, name)
    description = cmd.get("description") or ""
    if not 1 <= len(description) <= COMMAND_DESCRIPTION:
        problems.append(f"{where}.description: length {len(description)} not in 1..{COMMAND_DESCRIPTION}")
    options = cmd.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        problems.append(f"{where}.options: {len(options)} > {COMMAND_OPTIONS}")
    optional_seen = False
    for j, option in enumerate(options):
        at = f"{where}.options.{j}"
        problems += _name_problems(at, option.get("name") or "")
        text = option.get("description") or ""
        if not 1 <= len(text) <= COMMAND_DESCRIPTION:
            problems.append(f"{at}.description: length {len(text)} not in 1..{COMMAND_DESCRIPTION}")
        if option.get("required") and optional_seen:
            problems.append(f"{at}: required options must come before optional ones")
        optional_seen |= not option.get("required")
    return problems
