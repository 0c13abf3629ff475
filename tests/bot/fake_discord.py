"""A loopback fake of Discord (REST + gateway) good enough to run the real discord.py client.

    fake = await FakeDiscord().start()
    settings = BotSettings(discord_api_base=fake.api_base, discord_gateway=fake.gateway_url, ...)
    ...
    interaction = await fake.slash("ask", question="when?", admin=False)
    patch = await fake.wait_for("PATCH", r"/webhooks/.*/messages/@original")

Every HTTP request is recorded (method, path, query, json body). The gateway
speaks JSON, with zlib-stream compression when the client asks for it (discord.py
2.7 does unless zstandard is installed), answers HELLO/IDENTIFY/HEARTBEAT/RESUME
and can dispatch INTERACTION_CREATE (slash commands and button clicks) and
MESSAGE_CREATE.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = 900000000000000001
BOT_ID = APP_ID
GUILD_ID = 900000000000000010
CHANNEL_ID = 900000000000000020
OWNER_ID = 900000000000000030
ADMIN_ID = 900000000000000031
MEMBER_ID = 900000000000000032
ADMIN_ROLE_ID = 900000000000000040
DM_CHANNEL_ID = 900000000000000050

# permission bits
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_HISTORY = 1 << 16
USE_APP_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_HISTORY | USE_APP_COMMANDS
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD

HEARTBEAT_ACK = {"op": 11, "d": None}


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with exactly ``Content-Type: application/json`` (discord.py compares the header verbatim)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _now() -> str:
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


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    headers: dict[str, str] = field(repr=False, default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # what the fake answered


class FakeDiscord:
    def __init__(
        self, *, heartbeat_interval: float = 41.25, token: str | None = None, allow_message_content: bool = True
    ) -> None:
        self.allow_message_content = allow_message_content  # False: IDENTIFY asking for it is closed with 4014
        self.heartbeat_interval = heartbeat_interval  # seconds, sent as ms in HELLO
        self.token = token  # when set, bot-authenticated routes answer 401 to any other token
        self.requests: list[Request] = []
        self.heartbeats: list[float] = []  # monotonic time of every op 1 received
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" / guild id -> last bulk overwrite
        self.ready = asyncio.Event()
        self._ids = itertools.count(910000000000000000)
        self._sockets: list[_GatewaySocket] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.bot_user = user_payload(BOT_ID, "citebot", bot=True)
        self.users = {
            OWNER_ID: user_payload(OWNER_ID, "owner"),
            ADMIN_ID: user_payload(ADMIN_ID, "admin"),
            MEMBER_ID: user_payload(MEMBER_ID, "member"),
        }

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
        return str(next(self._ids))

    # ------------------------------------------------------------------ assertions helpers

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
            seen = "\n".join(f"  {r.method} {r.path}" for r in self.requests)
            raise AssertionError(f"timed out waiting for {count}× {method} {path_pattern}; seen:\n{seen}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

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
            response = await self._route(rec)
            rec.status = response.status
            return response
        finally:
            await self._notify()

    async def _route(self, r: Request) -> web.StreamResponse:
        m, p = r.method, r.path
        bot_route = not p.startswith(("/interactions/", "/webhooks/"))  # those authenticate by their token
        if self.token is not None and bot_route and r.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if m == "GET" and p == "/users/@me":
            return _json(self.bot_user)
        if m == "GET" and p == "/gateway":
            return _json({"url": self.gateway_url})
        if m == "GET" and p == "/gateway/bot":
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
                }
            )
        if m == "GET" and p in ("/applications/@me", "/oauth2/applications/@me"):
            return _json(self._application())
        if m == "PUT" and (match := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", p)):
            scope = match[2] or "global"
            out = []
            for cmd in r.json or []:
                cmd = {"type": 1, "options": [], "default_member_permissions": None, **cmd}
                cmd.update(id=self.snowflake(), application_id=str(APP_ID), version=self.snowflake())
                if match[2]:
                    cmd["guild_id"] = match[2]
                out.append(cmd)
            self.commands[scope] = out
            return _json(out)
        if m == "POST" and (match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p)):
            return _json(self._callback_response(int(match[1]), r.json or {}))
        if m == "PATCH" and re.fullmatch(r"/webhooks/\d+/[^/]+/messages/@original", p):
            return _json(self._message(CHANNEL_ID, r.json or {}, webhook=True))
        if m == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", p):
            return _json(self._message(CHANNEL_ID, r.json or {}, webhook=True))
        if m == "POST" and (match := re.fullmatch(r"/channels/(\d+)/messages", p)):
            return _json(self._message(int(match[1]), r.json or {}))
        if m == "POST" and re.fullmatch(r"/channels/\d+/typing", p):
            return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "citebot",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.users[OWNER_ID],
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "interactions_endpoint_url": None,
        }

    def _message(self, channel_id: int, body: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "id": self.snowflake(),
            "channel_id": str(channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": _now(),
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
        if channel_id == CHANNEL_ID:
            msg["guild_id"] = str(GUILD_ID)
        if webhook:
            msg["webhook_id"] = str(APP_ID)
            msg["application_id"] = str(APP_ID)
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        return msg

    def _callback_response(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        out: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind},
        }
        if kind in (4, 7):
            message = self._message(CHANNEL_ID, data, webhook=True)
            out["interaction"]["response_message_id"] = message["id"]
            out["resource"]["message"] = message
        return out

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        sock = _GatewaySocket(self, ws, zlib_stream=request.query.get("compress") == "zlib-stream")
        self._sockets.append(sock)
        try:
            await sock.run()
        finally:
            self._sockets.remove(sock)
        return ws

    def _guild(self) -> dict[str, Any]:
        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        admin_role = {**everyone, "id": str(ADMIN_ROLE_ID), "name": "admins", "permissions": str(ADMIN_PERMISSIONS), "position": 1}
        bot_member = {
            "user": self.bot_user,
            "roles": [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        return {
            "id": str(GUILD_ID),
            "name": "Fake Guild",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(OWNER_ID),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [everyone, admin_role],
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
            "joined_at": _now(),
            "large": False,
            "unavailable": False,
            "member_count": 4,
            "voice_states": [],
            "members": [bot_member],
            "channels": [
                {
                    "id": str(CHANNEL_ID),
                    "type": 0,
                    "name": "general",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "topic": None,
                    "parent_id": None,
                    "rate_limit_per_user": 0,
                    "last_message_id": None,
                }
            ],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) to every connected gateway socket."""
        if not self._sockets:
            raise AssertionError("no gateway connection")
        for sock in list(self._sockets):
            await sock.dispatch(event, data)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client must reconnect to READY's resume_gateway_url and RESUME."""
        for sock in list(self._sockets):
            await sock.send({"op": 7, "d": None})

    def unanswered(self) -> list[Request]:
        """Requests the fake did not implement (404): the bot called a route it should not need."""
        return [r for r in self.requests if r.status == 404]

    # ------------------------------------------------------------------ scripted users

    def _member(self, user_id: int, *, admin: bool) -> dict[str, Any]:
        return {
            "user": self.users[user_id],
            "roles": [str(ADMIN_ROLE_ID)] if admin else [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
            "permissions": str(ADMIN_PERMISSIONS if admin else MEMBER_PERMISSIONS),
        }

    def _interaction(self, kind: int, data: dict[str, Any], *, user_id: int, admin: bool) -> dict[str, Any]:
        interaction_id = self.snowflake()
        perms = ADMIN_PERMISSIONS if admin else MEMBER_PERMISSIONS
        return {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "data": data,
            "guild_id": str(GUILD_ID),
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "channel_id": str(CHANNEL_ID),
            "channel": {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "general", "permissions": str(perms), "position": 0, "nsfw": False, "parent_id": None, "topic": None, "rate_limit_per_user": 0, "last_message_id": None, "flags": 0},
            "member": self._member(user_id, admin=admin),
            "app_permissions": str(MEMBER_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }

    async def slash(self, name: str, *, admin: bool = False, user_id: int | None = None, **options: Any) -> dict[str, Any]:
        """A member runs ``/name option:value``; returns the INTERACTION_CREATE payload."""
        user_id = user_id or (ADMIN_ID if admin else MEMBER_ID)
        synced = self.commands.get(str(GUILD_ID), []) + self.commands.get("global", [])
        command_id = next((c["id"] for c in synced if c["name"] == name), self.snowflake())
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1, "guild_id": str(GUILD_ID)}
        if options:
            data["options"] = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
        interaction = self._interaction(2, data, user_id=user_id, admin=admin)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def click(self, custom_id: str, message: dict[str, Any], *, user_id: int = MEMBER_ID) -> dict[str, Any]:
        """A member clicks the button ``custom_id`` on ``message`` (a message payload, e.g. a PATCH body)."""
        msg = self._message(CHANNEL_ID, message, webhook=True)
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self._interaction(3, data, user_id=user_id, admin=False)
        interaction["message"] = msg
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def post_message(self, content: str, *, mention_bot: bool = True, dm: bool = False, user_id: int = MEMBER_ID) -> dict[str, Any]:
        """A user writes a message (in #general, or in a DM); returns the MESSAGE_CREATE payload."""
        msg: dict[str, Any] = {
            "id": self.snowflake(),
            "channel_id": str(DM_CHANNEL_ID if dm else CHANNEL_ID),
            "author": self.users[user_id],
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [self.bot_user] if mention_bot else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if not dm:
            msg["guild_id"] = str(GUILD_ID)
            msg["member"] = {k: v for k, v in self._member(user_id, admin=False).items() if k not in ("user", "permissions")}
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg


class _GatewaySocket:
    def __init__(self, fake: FakeDiscord, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.fake = fake
        self.ws = ws
        self.seq = 0
        self.shard: list[int] | None = None
        self._zlib = zlib.compressobj() if zlib_stream else None
        self._send_lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        async with self._send_lock:
            if self._zlib is not None:  # zlib-stream: one shared context, each frame Z_SYNC_FLUSHed
                await self.ws.send_bytes(self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH))
            else:
                await self.ws.send_str(text)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": event, "s": self.seq, "d": data})

    async def run(self) -> None:
        await self.send({"op": 10, "d": {"heartbeat_interval": int(self.fake.heartbeat_interval * 1000)}})
        async for msg in self.ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload.get("op")
            if op == 1:
                self.fake.heartbeats.append(time.monotonic())
                await self.send(HEARTBEAT_ACK)
            elif op == 2:
                await self._identify(payload["d"])
            elif op == 6:
                self.fake.resumes.append(payload["d"])
                await self.dispatch("RESUMED", {})

    async def _identify(self, data: dict[str, Any]) -> None:
        self.fake.identifies.append(data)
        if self.fake.token is not None and data.get("token") != self.fake.token:
            await self.ws.close(code=4004, message=b"Authentication failed.")
            return
        if not self.fake.allow_message_content and int(data.get("intents", 0)) & (1 << 15):
            await self.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.shard = data.get("shard")
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.fake.bot_user,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.fake.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
        }
        if self.shard is not None:
            ready["shard"] = self.shard
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self.fake._guild())
        self.fake.ready.set()
