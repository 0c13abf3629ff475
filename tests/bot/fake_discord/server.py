"""The fake Discord: REST routes and scripted users over one small world (channels, threads, messages).

It refuses what Discord refuses, with Discord's status and error code:

* 400 50035 for a message body over Discord's limits (``limits.py``) or an empty one;
* 429 with ``retry_after`` (and the ``Via`` header discord.py checks) when a channel's message bucket
  (5 per 5 s) is exhausted or a test injected one with :meth:`FakeDiscord.rate_limit`;
* 404 10062 "Unknown interaction" for an acknowledgement later than ``ack_deadline`` (3 s), and
  400 40060 for a second acknowledgement;
* 401 50027 "Invalid Webhook Token" for follow-ups and edits after ``token_lifetime`` (15 min);
* 400 160004 for a thread on a message that already has one, 403 50013 when the bot lacks the
  permission (Create Public Threads, Send Messages in Threads, Manage Threads, Add Reactions);
* MESSAGE_CREATE without the Message Content intent carries an empty ``content`` unless the message
  mentions the bot (a reply that pings it does) or is a DM, as on Discord.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import limits
from .gateway import GatewaySocket
from .payloads import (
    ADD_REACTIONS,
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    ADMIN_ROLE2_ID,
    ADMIN_ROLE_ID,
    APP_ID,
    BOT_PERMISSIONS,
    BOT_ROLE2_ID,
    BOT_ROLE_ID,
    CHANNEL2_ID,
    CHANNEL_ID,
    CREATE_PUBLIC_THREADS,
    DIRECT_MESSAGES,
    DM_CHANNEL_ID,
    FORUM_ID,
    GUILD2_ID,
    GUILD_ID,
    GUILD_MESSAGES,
    HELPER_ID,
    HELPER_ROLE_ID,
    MANAGE_THREADS,
    MEMBER_ID,
    MEMBER_PERMISSIONS,
    MENTION_EVERYONE,
    MESSAGE_CONTENT,
    OWNER_ID,
    QUESTION_TAG_ID,
    READ_HISTORY,
    SEND_IN_THREADS,
    SEND_MESSAGES,
    SOLVED_TAG_ID,
    VIEW_CHANNEL,
    application_payload,
    forum_channel,
    member_payload,
    message_payload,
    now_iso,
    role_payload,
    text_channel,
    thread_payload,
    user_payload,
)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with exactly ``Content-Type: application/json`` (discord.py compares the header verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


DISCORD_EPOCH_MS = 1420070400000


class DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return _json(body, status=self.status)


def invalid_form(problems: list[str]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", {"_problems": problems})


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    headers: dict[str, str] = field(repr=False, default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # what the fake answered
    error_code: int | None = None  # Discord's JSON error code, when it refused
    problems: list[str] = field(default_factory=list)  # why a 400 was answered


@dataclass
class Interaction:
    id: str
    token: str
    kind: int  # 2 command, 3 component, 4 autocomplete
    channel_id: int
    user_id: int
    created: float
    acked_with: int | None = None  # the callback type
    acked_at: float | None = None
    original_id: str | None = None  # the response message
    ephemeral: bool = False
    source_message_id: str | None = None  # the message whose button was clicked


@dataclass
class Injected429:
    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float


class FakeDiscord:
    def __init__(
        self,
        *,
        heartbeat_interval: float = 41.25,
        token: str | None = None,
        allow_message_content: bool = True,
        bot_permissions: int = BOT_PERMISSIONS,
        helper_role_mentionable: bool = True,
        forum_tags: tuple[tuple[int, str], ...] = ((SOLVED_TAG_ID, "Solved"), (QUESTION_TAG_ID, "Question")),
        ack_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        channel_message_bucket: tuple[int, float] = (5, 5.0),
        second_guild: bool = False,
    ) -> None:
        self.allow_message_content = allow_message_content  # False: IDENTIFY asking for it is closed with 4014
        self.heartbeat_interval = heartbeat_interval  # seconds, sent as ms in HELLO
        self.token = token  # when set, bot-authenticated routes answer 401 to any other token
        self.bot_permissions = bot_permissions
        self.ack_deadline = ack_deadline
        self.token_lifetime = token_lifetime
        self.channel_message_bucket = channel_message_bucket
        self.requests: list[Request] = []
        # "METHOD path-regex" -> seconds the fake waits before answering such a request (a slow Discord)
        self.response_delays: dict[str, float] = {}
        self.heartbeats: list[float] = []  # monotonic time of every op 1 received
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" / guild id -> last bulk overwrite
        self.last_intents = 0
        self.ready = asyncio.Event()
        self._ids = itertools.count(1)
        self._sockets: list[GatewaySocket] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = user_payload(APP_ID, "citebot", bot=True)
        self.users = {
            OWNER_ID: user_payload(OWNER_ID, "owner"),
            ADMIN_ID: user_payload(ADMIN_ID, "admin"),
            MEMBER_ID: user_payload(MEMBER_ID, "member"),
            HELPER_ID: user_payload(HELPER_ID, "helper"),
        }
        self.roles = {
            GUILD_ID: role_payload(GUILD_ID, "@everyone", MEMBER_PERMISSIONS, 0),
            ADMIN_ROLE_ID: role_payload(ADMIN_ROLE_ID, "admins", ADMIN_PERMISSIONS, 2),
            HELPER_ROLE_ID: role_payload(HELPER_ROLE_ID, "helpers", MEMBER_PERMISSIONS, 1, mentionable=helper_role_mentionable),
            BOT_ROLE_ID: role_payload(BOT_ROLE_ID, "citebot", 0, 3),
        }
        self.guild_ids = [GUILD_ID]
        self.role_guild = {role: GUILD_ID for role in self.roles}  # every role belongs to one server
        self.bot_roles = {GUILD_ID: BOT_ROLE_ID}  # the bot's own (managed) role in each server
        self.member_roles = {OWNER_ID: [], ADMIN_ID: [ADMIN_ROLE_ID], MEMBER_ID: [], HELPER_ID: [HELPER_ROLE_ID]}
        self.channels: dict[int, dict[str, Any]] = {
            CHANNEL_ID: text_channel(CHANNEL_ID, "general"),
            FORUM_ID: forum_channel(FORUM_ID, "help", list(forum_tags)),
        }
        if second_guild:  # the same users, members of both; admin has Manage Server in both
            self.guild_ids.append(GUILD2_ID)
            self.roles[GUILD2_ID] = role_payload(GUILD2_ID, "@everyone", MEMBER_PERMISSIONS, 0)
            self.roles[ADMIN_ROLE2_ID] = role_payload(ADMIN_ROLE2_ID, "admins", ADMIN_PERMISSIONS, 1)
            self.roles[BOT_ROLE2_ID] = role_payload(BOT_ROLE2_ID, "citebot", 0, 2)
            self.role_guild.update({GUILD2_ID: GUILD2_ID, ADMIN_ROLE2_ID: GUILD2_ID, BOT_ROLE2_ID: GUILD2_ID})
            self.bot_roles[GUILD2_ID] = BOT_ROLE2_ID
            self.member_roles[ADMIN_ID].append(ADMIN_ROLE2_ID)
            self.channels[CHANNEL2_ID] = text_channel(CHANNEL2_ID, "general", guild_id=GUILD2_ID)
        # the bot's role is denied, in every channel, whatever bot_permissions leaves out (an overwrite,
        # so discord.py's own permissions_for() agrees with what the fake enforces)
        deny = ((1 << 50) - 1) & ~bot_permissions
        for channel in self.channels.values():
            bot_role = self.bot_roles[int(channel["guild_id"])]
            channel["permission_overwrites"] = [{"id": str(bot_role), "type": 0, "allow": "0", "deny": str(deny)}]
        self.dm_channels = {DM_CHANNEL_ID}
        self.dm_of: dict[int, int] = {MEMBER_ID: DM_CHANNEL_ID}  # user -> their DM channel with the bot
        self.messages: dict[str, dict[str, Any]] = {}  # every message, by id
        self.thread_of: dict[str, str] = {}  # message id -> the thread started on it
        self.reactions: list[tuple[str, str]] = []  # (message id, emoji) the bot added
        self.pings: list[dict[str, Any]] = []  # {"message", "roles", "users"}: who a bot message notified
        self.interactions: dict[str, Interaction] = {}
        self._injected: list[Injected429] = []
        self._buckets: dict[str, list[float]] = {}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway-ws", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for sock in list(self._sockets):
            await sock.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-ws"

    def snowflake(self) -> str:
        """A fresh id whose timestamp is now, as Discord's are (discord.py reads created_at from it)."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._ids) & 0x3FFFFF))

    # ------------------------------------------------------------------ test controls

    def rate_limit(self, method: str, path_pattern: str, *, times: int = 1, retry_after: float = 0.3) -> None:
        """Answer the next ``times`` matching requests with 429 and ``retry_after``."""
        self._injected.append(Injected429(method, re.compile(path_pattern), times, retry_after))

    def age_interaction(self, interaction: dict[str, Any], seconds: float) -> None:
        """Pretend ``interaction`` was created ``seconds`` earlier (its deadlines come sooner)."""
        self.interactions[interaction["id"]].created -= seconds

    # ------------------------------------------------------------------ assertion helpers

    def find(self, method: str, path_pattern: str) -> list[Request]:
        rx = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and rx.search(r.path)]

    async def wait_for(self, method: str, path_pattern: str, *, count: int = 1, timeout: float = 10.0) -> list[Request]:
        """Wait until ``count`` requests matched; returns all the matching ones."""

        async def check() -> list[Request]:
            async with self._changed:
                while len(found := self.find(method, path_pattern)) < count:
                    await self._changed.wait()
                return found

        try:
            return await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            seen = "\n".join(f"  {r.method} {r.path} -> {r.status}" for r in self.requests)
            raise AssertionError(f"timed out waiting for {count}× {method} {path_pattern}; seen:\n{seen}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def unanswered(self) -> list[Request]:
        """Requests the fake did not implement (404 without a Discord error code)."""
        return [r for r in self.requests if r.status == 404 and r.error_code in (None, 0)]

    def refused(self) -> list[Request]:
        """Requests Discord would have refused (4xx with an error code, including 429)."""
        return [r for r in self.requests if 400 <= r.status < 500 and (r.error_code or r.status == 429)]

    def channel_messages(self, channel_id: int | str) -> list[dict[str, Any]]:
        """Messages in ``channel_id`` (users' and the bot's, ephemeral ones excluded), oldest first."""
        return [
            m for m in self.messages.values()
            if m["channel_id"] == str(channel_id) and not m.get("flags", 0) & limits.EPHEMERAL
        ]

    def bot_messages(self, channel_id: int | str) -> list[dict[str, Any]]:
        return [m for m in self.channel_messages(channel_id) if m["author"]["id"] == self.bot_user["id"]]

    def threads(self) -> dict[int, dict[str, Any]]:
        return {cid: c for cid, c in self.channels.items() if c["type"] in (11, 12)}

    # ------------------------------------------------------------------ REST

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        rec = Request(request.method, path, dict(request.query), body, dict(request.headers))
        self.requests.append(rec)
        try:
            for pattern, seconds in self.response_delays.items():
                method, rx = pattern.split(" ", 1)
                if method == rec.method and re.search(rx, rec.path):
                    await asyncio.sleep(seconds)
            try:
                response = await self._route(rec)
            except DiscordError as exc:
                rec.error_code = exc.code
                if exc.errors and "_problems" in exc.errors:
                    rec.problems = exc.errors["_problems"]
                response = exc.response()
            rec.status = response.status
            if response.status == 429:
                rec.error_code = 0
            return response
        finally:
            await self._notify()

    async def _route(self, r: Request) -> web.StreamResponse:
        bot_route = not r.path.startswith(("/interactions/", "/webhooks/"))  # those authenticate by their token
        if self.token is not None and bot_route and r.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        limited = self._rate_limited(r)
        if limited is not None:
            return limited
        for method, pattern, handler in self._routes():
            if r.method == method and (match := re.fullmatch(pattern, r.path)):
                return await handler(r, *match.groups())
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Awaitable[web.StreamResponse]]]]:
        return [
            ("GET", r"/users/@me", self._get_me),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", r"(?:/oauth2)?/applications/@me", self._get_application),
            ("PUT", r"/applications/(\d+)(?:/guilds/(\d+))?/commands", self._put_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._interaction_callback),
            ("GET", r"/webhooks/\d+/([^/]+)/messages/(@original|\d+)", self._webhook_get),
            ("PATCH", r"/webhooks/\d+/([^/]+)/messages/(@original|\d+)", self._webhook_edit),
            ("DELETE", r"/webhooks/\d+/([^/]+)/messages/(@original|\d+)", self._webhook_delete),
            ("POST", r"/webhooks/\d+/([^/]+)", self._webhook_followup),
            ("POST", r"/channels/(\d+)/messages", self._post_message),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._start_thread),
            ("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._add_reaction),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("PATCH", r"/channels/(\d+)", self._edit_channel),
            ("POST", r"/channels/(\d+)/typing", self._typing),
        ]

    # -- rate limits

    def _rate_limited(self, r: Request) -> web.Response | None:
        for inj in self._injected:
            if inj.times > 0 and inj.method == r.method and inj.pattern.search(r.path):
                inj.times -= 1
                return self._too_many(inj.retry_after, bucket="injected")
        match = re.fullmatch(r"/channels/(\d+)/messages", r.path)
        if r.method == "POST" and match:
            limit, per = self.channel_message_bucket
            now = time.monotonic()
            hits = [t for t in self._buckets.get(match[1], []) if now - t < per]
            if len(hits) >= limit:
                self._buckets[match[1]] = hits
                return self._too_many(per - (now - hits[0]), bucket=f"msg-{match[1]}")
            hits.append(now)
            self._buckets[match[1]] = hits
        return None

    @staticmethod
    def _too_many(retry_after: float, *, bucket: str) -> web.Response:
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": False}
        headers = {
            "Via": "1.1 google",  # discord.py treats a 429 without it as a Cloudflare ban
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": "user",
        }
        return _json(body, status=429, headers=headers)

    # -- plumbing routes

    async def _get_me(self, r: Request) -> web.Response:
        return _json(self.bot_user)

    def dm_channel(self, user_id: int) -> int:
        """The DM channel between ``user_id`` and the bot."""
        channel_id = self.dm_of.setdefault(user_id, int(self.snowflake()))
        self.dm_channels.add(channel_id)
        return channel_id

    async def _open_dm(self, r: Request) -> web.Response:
        user_id = int((r.json or {}).get("recipient_id", 0))
        if user_id not in self.users:
            raise DiscordError(400, 50033, "Invalid Recipient(s)")
        channel_id = self.dm_channel(user_id)
        return _json({"id": str(channel_id), "type": 1, "recipients": [self.users[user_id]], "last_message_id": None, "flags": 0})

    async def _get_gateway(self, r: Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, r: Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_application(self, r: Request) -> web.Response:
        return _json(application_payload(self.users[OWNER_ID]))

    async def _put_commands(self, r: Request, _app: str, guild: str | None) -> web.Response:
        scope = guild or "global"
        out = []
        problems = [p for i, cmd in enumerate(r.json or []) for p in limits.command_problems(i, cmd)]
        if problems:
            raise invalid_form(problems)
        for cmd in r.json or []:
            cmd = {"type": 1, "options": [], "default_member_permissions": None, "description": "", **cmd}
            cmd.update(id=self.snowflake(), application_id=str(APP_ID), version=self.snowflake())
            if guild:
                cmd["guild_id"] = guild
            out.append(cmd)
        self.commands[scope] = out
        return _json(out)

    async def _typing(self, r: Request, channel_id: str) -> web.Response:
        return web.Response(status=204)

    # -- permissions

    def guild_of(self, channel_id: int | str | None) -> int | None:
        """The server a channel or thread belongs to (None for a DM)."""
        channel = self.channels.get(int(channel_id)) if channel_id is not None else None
        return int(channel["guild_id"]) if channel is not None and channel.get("guild_id") else None

    def roles_in(self, user_id: int, guild_id: int) -> list[int]:
        return [r for r in self.member_roles.get(user_id, []) if self.role_guild.get(r) == guild_id]

    def permissions(self, user_id: int, channel_id: int | None = None) -> int:
        guild_id = self.guild_of(channel_id) or GUILD_ID
        everyone = int(self.roles[guild_id]["permissions"])
        if user_id == int(self.bot_user["id"]):
            return (everyone | self.bot_permissions) & self.bot_permissions
        perms = everyone
        for role in self.roles_in(user_id, guild_id):
            perms |= int(self.roles[role]["permissions"])
        return perms

    def _require(self, bits: int, what: str) -> None:
        if self.permissions(int(self.bot_user["id"])) & bits != bits:
            raise DiscordError(403, 50013, f"Missing Permissions ({what})")

    # -- channels and messages

    def _channel(self, channel_id: str | int) -> dict[str, Any]:
        channel = self.channels.get(int(channel_id))
        if channel is None and int(channel_id) not in self.dm_channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel or {"id": str(channel_id), "type": 1}

    def _store_bot_message(self, channel_id: int, body: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        self._channel(channel_id)  # 404 10003 for an unknown channel
        msg = message_payload(self.snowflake(), channel_id, self.bot_user, body, guild=self.guild_of(channel_id) or False)
        if webhook:
            msg["webhook_id"] = str(APP_ID)
            msg["application_id"] = str(APP_ID)
        self.messages[msg["id"]] = msg
        self._record_pings(msg, body)
        return msg

    def _record_pings(self, msg: dict[str, Any], body: dict[str, Any]) -> None:
        """Who Discord would notify: mentions in the content, filtered by allowed_mentions and the role's
        mentionable flag (or the bot's Mention All Roles permission)."""
        allowed = body.get("allowed_mentions")
        content = msg.get("content") or ""
        parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
        roles = []
        for role_id in re.findall(r"<@&(\d+)>", content):
            if "roles" in parse or role_id in {str(x) for x in (allowed or {}).get("roles", [])}:
                role = self.roles.get(int(role_id))
                can = role is not None and (role["mentionable"] or self.bot_permissions & MENTION_EVERYONE)
                if can:
                    roles.append(role_id)
        users = [
            u for u in re.findall(r"<@!?(\d+)>", content)
            if "users" in parse or u in {str(x) for x in (allowed or {}).get("users", [])}
        ]
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
        msg["mention_roles"] = roles
        if roles or users or everyone:
            self.pings.append({"message": msg["id"], "roles": roles, "users": users, "everyone": everyone})

    async def _post_message(self, r: Request, channel_id: str) -> web.Response:
        channel = self._channel(channel_id)
        body = r.json or {}
        if channel["type"] == 15:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        if channel["type"] in (11, 12):
            self._require(VIEW_CHANNEL | SEND_IN_THREADS, "Send Messages in Threads")
            if channel["thread_metadata"].get("locked"):
                raise DiscordError(403, 50083, "Thread is archived")
        elif channel["type"] == 0:
            self._require(VIEW_CHANNEL | SEND_MESSAGES, "Send Messages")
        problems = limits.message_problems(body)
        if problems:
            raise invalid_form(problems)
        ref = body.get("message_reference")
        if ref and channel["type"] != 1:  # a reply in a server needs the history it refers to
            self._require(READ_HISTORY, "Read Message History")
        if ref and str(ref.get("message_id")) not in self.messages and ref.get("fail_if_not_exists", True):
            raise invalid_form(["message_reference: Unknown message"])
        msg = self._store_bot_message(int(channel_id), body)
        if channel["type"] in (11, 12):
            channel["message_count"] += 1
        await self._dispatch_message(msg)
        return _json(msg)

    async def _get_message(self, r: Request, channel_id: str, message_id: str) -> web.Response:
        msg = self.messages.get(message_id)
        if msg is None or msg["channel_id"] != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return _json(self._visible(msg, self.last_intents))

    async def _start_thread(self, r: Request, channel_id: str, message_id: str) -> web.Response:
        channel = self._channel(channel_id)
        if channel["type"] != 0:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        msg = self.messages.get(message_id)
        if msg is None or msg["channel_id"] != channel_id or msg.get("flags", 0) & limits.EPHEMERAL:
            raise DiscordError(404, 10008, "Unknown Message")  # an ephemeral message is in no channel
        if message_id in self.thread_of:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        self._require(VIEW_CHANNEL | CREATE_PUBLIC_THREADS, "Create Public Threads")
        name = (r.json or {}).get("name") or ""
        if not 1 <= len(name) <= limits.THREAD_NAME:
            raise invalid_form([f"name: length {len(name)} not in 1..{limits.THREAD_NAME}"])
        thread = thread_payload(int(message_id), int(channel_id), int(self.bot_user["id"]), name,
                                guild_id=int(channel["guild_id"]))
        thread["member"] = {"id": message_id, "user_id": self.bot_user["id"], "join_timestamp": now_iso(), "flags": 1}
        self.channels[int(message_id)] = thread
        self.thread_of[message_id] = message_id
        await self._broadcast("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread)

    async def _add_reaction(self, r: Request, channel_id: str, message_id: str, emoji: str) -> web.Response:
        self._require(ADD_REACTIONS, "Add Reactions")
        if message_id not in self.messages:
            raise DiscordError(404, 10008, "Unknown Message")
        from urllib.parse import unquote

        self.reactions.append((message_id, unquote(emoji)))
        return web.Response(status=204)

    async def _get_channel(self, r: Request, channel_id: str) -> web.Response:
        return _json(self._channel(channel_id))

    async def _edit_channel(self, r: Request, channel_id: str) -> web.Response:
        channel = self._channel(channel_id)
        body = r.json or {}
        if channel["type"] not in (11, 12):
            raise DiscordError(403, 50013, "Missing Permissions (Manage Channels)")
        if "applied_tags" in body:
            if channel["owner_id"] != self.bot_user["id"]:
                self._require(MANAGE_THREADS, "Manage Threads")
            parent = self.channels[int(channel["parent_id"])]
            known = {t["id"] for t in parent.get("available_tags", [])}
            tags = [str(t) for t in body["applied_tags"]]
            if parent["type"] != 15 or len(tags) > limits.APPLIED_TAGS or not set(tags) <= known:
                raise invalid_form([f"applied_tags: {tags} not tags of the forum (max {limits.APPLIED_TAGS})"])
            channel["applied_tags"] = tags
        for key in ("archived", "locked"):
            if key in body:
                if channel["owner_id"] != self.bot_user["id"]:
                    self._require(MANAGE_THREADS, "Manage Threads")
                channel["thread_metadata"][key] = bool(body[key])
        if "name" in body:
            channel["name"] = body["name"]
        await self._broadcast("THREAD_UPDATE", channel)
        return _json(channel)

    # -- interactions

    def _interaction_by_token(self, token: str) -> Interaction:
        found = next((i for i in self.interactions.values() if i.token == token), None)
        if found is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if time.monotonic() - found.created > self.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return found

    async def _interaction_callback(self, r: Request, interaction_id: str, token: str) -> web.Response:
        it = self.interactions.get(interaction_id)
        if it is None or it.token != token or time.monotonic() - it.created > self.ack_deadline:
            raise DiscordError(404, 10062, "Unknown interaction")
        if it.acked_with is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body = r.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        if it.kind == 4 and kind != 8:
            raise invalid_form(["type: an autocomplete interaction is answered with type 8"])
        if kind == 8:
            if it.kind != 4:
                raise invalid_form(["type: 8 answers autocomplete interactions only"])
            problems = limits.autocomplete_problems(data.get("choices") or [])
            if problems:
                raise invalid_form(problems)
        if kind in (6, 7) and it.kind != 3:
            raise invalid_form([f"type: {kind} answers component interactions only"])
        if kind in (4, 7):
            problems = limits.message_problems(data, edit=kind == 7)
            if problems:
                raise invalid_form(problems)
        it.acked_with, it.acked_at = kind, time.monotonic()
        it.ephemeral = bool((data.get("flags") or 0) & limits.EPHEMERAL)
        out: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": it.kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": it.ephemeral,
            },
            "resource": {"type": kind},
        }
        if kind in (4, 5):
            message = self._store_bot_message(it.channel_id, data if kind == 4 else {"flags": data.get("flags")}, webhook=True)
            message["interaction_id"] = interaction_id
            it.original_id = message["id"]
            out["interaction"]["response_message_id"] = message["id"]
            if kind == 4:
                out["resource"]["message"] = message
        elif kind == 7 and it.source_message_id in self.messages:
            message = self.messages[it.source_message_id]
            message.update({k: data[k] for k in ("content", "embeds", "components") if k in data})
            out["resource"]["message"] = message
        return _json(out)

    def _webhook_message(self, it: Interaction, which: str) -> dict[str, Any]:
        message_id = it.original_id if which == "@original" else which
        if it.acked_with is None or message_id is None or message_id not in self.messages:
            raise DiscordError(404, 10008, "Unknown Message")
        return self.messages[message_id]

    async def _webhook_get(self, r: Request, token: str, which: str) -> web.Response:
        return _json(self._webhook_message(self._interaction_by_token(token), which))

    async def _webhook_edit(self, r: Request, token: str, which: str) -> web.Response:
        it = self._interaction_by_token(token)
        message = self._webhook_message(it, which)
        body = r.json or {}
        problems = limits.message_problems(body, edit=True)
        if problems:
            raise invalid_form(problems)
        message.update({k: body[k] for k in ("content", "embeds", "components") if k in body})
        message["content"] = message.get("content") or ""
        self._record_pings(message, body)
        return _json(message)

    async def _webhook_delete(self, r: Request, token: str, which: str) -> web.Response:
        it = self._interaction_by_token(token)
        message = self._webhook_message(it, which)
        self.messages.pop(message["id"], None)
        return web.Response(status=204)

    async def _webhook_followup(self, r: Request, token: str) -> web.Response:
        it = self._interaction_by_token(token)
        if it.acked_with is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        body = r.json or {}
        problems = limits.message_problems(body)
        if problems:
            raise invalid_form(problems)
        return _json(self._store_bot_message(it.channel_id, body, webhook=True))

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        sock = GatewaySocket(self, ws, zlib_stream=request.query.get("compress") == "zlib-stream")
        self._sockets.append(sock)
        try:
            await sock.run()
        finally:
            self._sockets.remove(sock)
        return ws

    def guild_payload(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        bot_role = self.bot_roles[guild_id]
        bot_member = member_payload(self.bot_user, [bot_role])
        self.roles[bot_role]["permissions"] = str(self.bot_permissions)
        channels = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        return {
            "id": str(guild_id),
            "name": "Fake Guild" if guild_id == GUILD_ID else "Second Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(OWNER_ID),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r for rid, r in self.roles.items() if self.role_guild.get(rid) == guild_id],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.users) + 1,
            "voice_states": [],
            "members": [bot_member],
            "channels": [c for c in channels if c["type"] not in (11, 12)],
            "threads": [c for c in channels if c["type"] in (11, 12)],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) to every identified gateway socket (a scripted user needs one)."""
        if not self._sockets:
            raise AssertionError("no gateway connection")
        await self._broadcast(event, data)

    async def _broadcast(self, event: str, data: dict[str, Any]) -> None:
        """What Discord sends on its own (THREAD_CREATE after a REST call…): to whoever is connected, on
        the shard of the event's server (DMs: shard 0), as Discord routes them."""
        for sock in list(self._sockets):
            if sock.identified and self.on_shard(sock.shard, data.get("guild_id")):
                await sock.dispatch(event, data)

    @staticmethod
    def on_shard(shard: list[int] | None, guild_id: int | str | None) -> bool:
        """Whether a connection identified with ``shard`` ([id, count]) gets the events of ``guild_id``."""
        if not shard:
            return True
        shard_id, count = shard
        return (int(guild_id) >> 22) % count == shard_id if guild_id else shard_id == 0

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client must reconnect to READY's resume_gateway_url and RESUME."""
        for sock in list(self._sockets):
            await sock.send({"op": 7, "d": None})

    def _visible(self, msg: dict[str, Any], intents: int) -> dict[str, Any]:
        """What a bot with ``intents`` sees of ``msg`` (Discord blanks content without Message Content)."""
        if intents & MESSAGE_CONTENT or "guild_id" not in msg or msg["author"]["id"] == self.bot_user["id"]:
            return msg
        if any(u["id"] == self.bot_user["id"] for u in msg.get("mentions", [])):
            return msg
        return {**msg, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _dispatch_message(self, msg: dict[str, Any]) -> None:
        for sock in list(self._sockets):
            if not sock.identified or not self.on_shard(sock.shard, msg.get("guild_id")):
                continue
            needed = GUILD_MESSAGES if "guild_id" in msg else DIRECT_MESSAGES
            if sock.intents & needed:
                await sock.dispatch("MESSAGE_CREATE", self._visible(msg, sock.intents))

    # ------------------------------------------------------------------ scripted users

    def _member(self, user_id: int, guild_id: int = GUILD_ID) -> dict[str, Any]:
        channel = next(int(c["id"]) for c in self.channels.values() if c.get("guild_id") == str(guild_id))
        return {
            **member_payload(self.users[user_id], self.roles_in(user_id, guild_id)),
            "permissions": str(self.permissions(user_id, channel)),
        }

    def _interaction(
        self, kind: int, data: dict[str, Any], *, user_id: int, channel_id: int = CHANNEL_ID, installed: str = "guild"
    ) -> dict[str, Any]:
        interaction_id = self.snowflake()
        channel = self._channel(channel_id)
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "data": data,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10485760,
            "app_permissions": str(self.permissions(int(self.bot_user["id"]), channel_id)),
        }
        guild_id = self.guild_of(channel_id) or GUILD_ID
        owners = {"0": str(guild_id)} if installed == "guild" else {"1": str(user_id)}
        if channel["type"] == 1:
            payload.update(
                channel_id=str(channel_id),
                channel={"id": str(channel_id), "type": 1, "recipients": [self.users[user_id]], "flags": 0},
                user=self.users[user_id],
                context=1,
                authorizing_integration_owners={"1": str(user_id)} if installed == "user" else {"0": str(GUILD_ID)},
            )
        else:
            perms = self.permissions(user_id, channel_id)
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                channel_id=str(channel_id),
                channel={**channel, "permissions": str(perms)},
                member=self._member(user_id, guild_id),
                guild_locale="en-US",
                context=0,
                authorizing_integration_owners=owners,
            )
        self.interactions[interaction_id] = Interaction(
            interaction_id, payload["token"], kind, channel_id, user_id, time.monotonic()
        )
        return payload

    def _command(self, name: str, kind: int = 1, channel_id: int | None = CHANNEL_ID) -> dict[str, Any]:
        """The synced command as the server of ``channel_id`` sees it (its own commands, then global ones)."""
        guild_id = self.guild_of(channel_id)
        synced = (self.commands.get(str(guild_id), []) if guild_id else []) + self.commands.get("global", [])
        found = next((c for c in synced if c["name"] == name and c.get("type", 1) == kind), None)
        if found is None:
            raise AssertionError(f"no synced command {name!r} of type {kind}; synced: {[c['name'] for c in synced]}")
        return found

    def _options(self, command: dict[str, Any], values: dict[str, Any], focused: str | None = None) -> list[dict[str, Any]]:
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        out = []
        for k, v in values.items():
            if k not in types:
                raise AssertionError(f"/{command['name']} has no option {k!r}")
            option: dict[str, Any] = {"name": k, "type": types[k], "value": v}
            if k == focused:
                option["focused"] = True
            out.append(option)
        return out

    async def slash(
        self, name: str, *, admin: bool = False, user_id: int | None = None, channel_id: int = CHANNEL_ID, **options: Any
    ) -> dict[str, Any]:
        """A member runs ``/name option:value``; returns the INTERACTION_CREATE payload."""
        user_id = user_id or (ADMIN_ID if admin else MEMBER_ID)
        command = self._command(name, channel_id=channel_id)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if options:
            data["options"] = self._options(command, options)
        interaction = self._interaction(2, data, user_id=user_id, channel_id=channel_id)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def autocomplete(
        self, name: str, focused: str, *, user_id: int = MEMBER_ID, channel_id: int = CHANNEL_ID, **options: Any
    ) -> dict[str, Any]:
        """A member types into option ``focused`` of ``/name``; Discord asks the bot for choices."""
        command = self._command(name, channel_id=channel_id)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1}
        data["options"] = self._options(command, options, focused)
        interaction = self._interaction(4, data, user_id=user_id, channel_id=channel_id)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def message_command(
        self, name: str, target: dict[str, Any], *, user_id: int = MEMBER_ID, channel_id: int | None = None,
        installed: str = "guild",
    ) -> dict[str, Any]:
        """A member picks Apps → ``name`` on message ``target`` (its content is always resolved)."""
        channel_id = channel_id or int(target["channel_id"])
        command = self._command(name, kind=3, channel_id=channel_id)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        interaction = self._interaction(2, data, user_id=user_id, channel_id=channel_id, installed=installed)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def click(
        self, custom_id: str, message: dict[str, Any], *, user_id: int = MEMBER_ID, channel_id: int | None = None
    ) -> dict[str, Any]:
        """A member clicks the button ``custom_id`` on ``message`` (a message the fake stored, or a body)."""
        stored = self.messages.get(str(message.get("id")))
        if stored is None:
            stored = self._store_bot_message(channel_id or CHANNEL_ID, message, webhook=True)
        ids = [c.get("custom_id") for row in stored.get("components", []) for c in row.get("components", [])]
        if custom_id not in ids:
            raise AssertionError(f"no button {custom_id!r} on that message (has {ids})")
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self._interaction(3, data, user_id=user_id, channel_id=int(stored["channel_id"]))
        interaction["message"] = stored
        self.interactions[interaction["id"]].source_message_id = stored["id"]
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def post_message(
        self,
        content: str,
        *,
        mention_bot: bool = True,
        dm: bool = False,
        user_id: int = MEMBER_ID,
        channel_id: int | str | None = None,
        reply_to: dict[str, Any] | None = None,
        ping_reply: bool = True,
    ) -> dict[str, Any]:
        """A user writes a message (in #general, a thread, or a DM); returns the full message.

        ``mention_bot`` puts the bot in ``mentions`` (an explicit ``<@bot>`` belongs in ``content``);
        a reply to one of the bot's messages mentions it too unless ``ping_reply`` is off.
        """
        channel_id = self.dm_channel(user_id) if dm else int(channel_id or CHANNEL_ID)
        channel = self._channel(channel_id)
        guild_id = None if dm else self.guild_of(channel_id)
        msg = message_payload(self.snowflake(), channel_id, self.users[user_id], {"content": content},
                              guild=guild_id or False)
        mentions = [self.bot_user] if mention_bot else []
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {
                "message_id": reply_to["id"], "channel_id": reply_to["channel_id"], "guild_id": str(guild_id),
            }
            msg["referenced_message"] = reply_to
            if ping_reply and reply_to["author"] not in mentions:
                mentions.append(reply_to["author"])
        msg["mentions"] = mentions
        if guild_id:
            msg["member"] = {k: v for k, v in self._member(user_id, guild_id).items() if k not in ("user", "permissions")}
        if channel["type"] in (11, 12):
            channel["message_count"] += 1
        self.messages[msg["id"]] = msg
        await self._dispatch_message(msg)
        return msg

    async def user_starts_thread(self, message: dict[str, Any], name: str = "a thread", *, user_id: int = MEMBER_ID) -> dict[str, Any]:
        """A user opens a thread on ``message`` (Discord then refuses a second one on it)."""
        thread = thread_payload(int(message["id"]), int(message["channel_id"]), user_id, name,
                                guild_id=self.guild_of(message["channel_id"]) or GUILD_ID)
        self.channels[int(message["id"])] = thread
        self.thread_of[message["id"]] = message["id"]
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def forum_post(
        self, title: str, content: str, *, user_id: int = MEMBER_ID, tags: list[int] | None = None
    ) -> dict[str, Any]:
        """A user opens a post in the forum: THREAD_CREATE, then its starter message (same id)."""
        thread_id = self.snowflake()
        thread = thread_payload(int(thread_id), FORUM_ID, user_id, title, applied_tags=tags)
        thread["message_count"] = 1
        self.channels[int(thread_id)] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        msg = message_payload(thread_id, int(thread_id), self.users[user_id], {"content": content}, guild=True)
        msg["member"] = {k: v for k, v in self._member(user_id).items() if k not in ("user", "permissions")}
        self.messages[thread_id] = msg
        await self._dispatch_message(msg)
        return thread
