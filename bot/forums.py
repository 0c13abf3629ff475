"""Forum channels (``CITEBOT_FORUM_CHANNELS``): which posts are citebot's to answer, what a post asks,
and the forum's Solved tag."""

from __future__ import annotations

import re

import discord

SOLVED_NAMES = re.compile(r"\b(solved|resolved|answered|done)\b", re.IGNORECASE)


def is_watched_forum(channel: object, forum_ids: list[int]) -> bool:
    return isinstance(channel, discord.ForumChannel) and channel.id in forum_ids


def post_question(title: str, body: str) -> str:
    """A forum post asks its title and its first message (the body is empty without Message Content)."""
    title, body = " ".join(title.split()), body.strip()
    if not body or body.lower() == title.lower():
        return title
    return f"{title}\n{body}"


def solved_tag(forum: discord.ForumChannel) -> discord.ForumTag | None:
    """The forum's "Solved" (or "Resolved", "Answered", "Done") tag, preferring an exact "Solved"."""
    tags = [t for t in forum.available_tags if SOLVED_NAMES.search(t.name)]
    tags.sort(key=lambda t: (t.name.strip().lower() != "solved", t.name.strip().lower() != "resolved", t.name))
    return tags[0] if tags else None
