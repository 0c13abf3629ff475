"""One gateway WebSocket: HELLO, IDENTIFY (intents checked), HEARTBEAT, RESUME, and DISPATCH."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .payloads import APP_ID, MESSAGE_CONTENT

if TYPE_CHECKING:
    from .server import FakeDiscord

HEARTBEAT_ACK = {"op": 11, "d": None}


class GatewaySocket:
    def __init__(self, fake: FakeDiscord, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.fake = fake
        self.ws = ws
        self.seq = 0
        self.shard: list[int] | None = None
        self.intents = 0  # what IDENTIFY asked for
        self.identified = False
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
                self.intents = self.fake.last_intents
                self.identified = True
                await self.dispatch("RESUMED", {})

    def _guilds(self) -> list[int]:
        """The servers of this connection's shard."""
        return [g for g in self.fake.guild_ids if self.fake.on_shard(self.shard, g)]

    async def _identify(self, data: dict[str, Any]) -> None:
        self.fake.identifies.append(data)
        if self.fake.token is not None and data.get("token") != self.fake.token:
            await self.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if not self.fake.allow_message_content and intents & MESSAGE_CONTENT:
            await self.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.intents = self.fake.last_intents = intents
        self.identified = True
        self.shard = data.get("shard")
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.fake.bot_user,
            "guilds": [{"id": str(guild), "unavailable": True} for guild in self._guilds()],
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
        for guild in self._guilds():
            await self.dispatch("GUILD_CREATE", self.fake.guild_payload(guild))
        self.fake.ready.set()
