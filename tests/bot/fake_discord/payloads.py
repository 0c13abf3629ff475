"""JSON payloads shaped like Discord's (users, members, roles, channels, threads, messages)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

APP_ID = 900000000000000001
BOT_ID = APP_ID
GUILD_ID = 900000000000000010
CHANNEL_ID = 900000000000000020
FORUM_ID = 900000000000000021
OWNER_ID = 900000000000000030
ADMIN_ID = 900000000000000031
MEMBER_ID = 900000000000000032
HELPER_ID = 900000000000000033
ADMIN_ROLE_ID = 900000000000000040
HELPER_ROLE_ID = 900000000000000041
BOT_ROLE_ID = 900000000000000042
DM_CHANNEL_ID = 900000000000000050
SOLVED_TAG_ID = 900000000000000060
QUESTION_TAG_ID = 900000000000000061
# a second server (FakeDiscord(second_guild=True)): its own channel, @everyone, admin and bot roles
GUILD2_ID = 900000000000000110
CHANNEL2_ID = 900000000000000120
ADMIN_ROLE2_ID = 900000000000000140
BOT_ROLE2_ID = 900000000000000142

# permission bits (https://discord.com/developers/docs/topics/permissions)
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17  # also "mention all roles"
USE_APP_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_IN_THREADS = 1 << 38
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_HISTORY | USE_APP_COMMANDS | ADD_REACTIONS
    | CREATE_PUBLIC_THREADS | SEND_IN_THREADS
)
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
# what the README's invite link grants (before the optional Manage Threads)
BOT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_HISTORY | ADD_REACTIONS | CREATE_PUBLIC_THREADS | SEND_IN_THREADS

# gateway intents
GUILDS = 1 << 0
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def role_payload(role_id: int, name: str, permissions: int, position: int, *, mentionable: bool = False) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": mentionable,
        "flags": 0,
    }


def member_payload(user: dict[str, Any], roles: list[int]) -> dict[str, Any]:
    return {
        "user": user,
        "roles": [str(r) for r in roles],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }


def text_channel(channel_id: int, name: str, *, guild_id: int = GUILD_ID) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "parent_id": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def forum_channel(channel_id: int, name: str, tags: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        **text_channel(channel_id, name),
        "type": 15,
        "position": 1,
        "available_tags": [
            {"id": str(i), "name": n, "moderated": False, "emoji_id": None, "emoji_name": None} for i, n in tags
        ],
        "default_reaction_emoji": None,
        "default_thread_rate_limit_per_user": 0,
        "default_sort_order": None,
        "default_forum_layout": 0,
    }


def thread_payload(
    thread_id: int, parent_id: int, owner_id: int, name: str, *, applied_tags: list[int] | None = None,
    guild_id: int = GUILD_ID,
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "type": 11,  # public thread
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [str(t) for t in applied_tags or []],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": now_iso(),
            "locked": False,
            "create_timestamp": now_iso(),
        },
    }


def message_payload(
    message_id: str, channel_id: int, author: dict[str, Any], body: dict[str, Any], *, guild: bool | int
) -> dict[str, Any]:
    """``guild``: False for a DM, True for the first server, or a server's id."""
    msg: dict[str, Any] = {
        "id": message_id,
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 19 if body.get("message_reference") else 0,
        "flags": body.get("flags") or 0,
    }
    if guild:
        msg["guild_id"] = str(GUILD_ID if guild is True else guild)
    if body.get("message_reference"):
        msg["message_reference"] = body["message_reference"]
    return msg


def application_payload(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "citebot",
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "summary": "",
        "interactions_endpoint_url": None,
    }
