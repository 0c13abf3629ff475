"""The fake Discord refuses what Discord refuses (so the e2e tests can fail for the right reasons)."""

from __future__ import annotations

import aiohttp
import pytest
from fake_discord import CHANNEL_ID, FakeDiscord


@pytest.fixture
async def fake():
    f = await FakeDiscord().start()
    try:
        yield f
    finally:
        await f.close()


async def call(fake: FakeDiscord, method: str, path: str, body=None) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as s, s.request(method, fake.api_base + path, json=body) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else {})


def interaction(fake: FakeDiscord) -> dict:
    return fake._interaction(2, {"id": "1", "name": "ask", "type": 1}, user_id=900000000000000032)


async def test_embed_over_the_description_limit_is_a_400(fake):
    status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"embeds": [{"description": "x" * 4097}]})
    assert status == 400 and body["code"] == 50035
    assert fake.requests[-1].problems == ["embeds.0.description: 4097 > 4096"]
    status, _ = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"embeds": [{"description": "x" * 4096}]})
    assert status == 200


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"content": "x" * 2001}, "content: 2001 > 2000"),
        ({"embeds": [{"title": "t" * 257}]}, "embeds.0.title: 257 > 256"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "embeds.0.fields.0.value: length 1025 not in 1..1024"),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, "embeds: 6001 characters in all > 6000"),
        ({}, "Cannot send an empty message"),
        ({"content": "x", "components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "a", "custom_id": "c" * 101}]}]},
         "components.0.components.0.custom_id: length 101 not in 1..100"),
    ],
)
async def test_other_limits(fake, body, problem):
    status, _ = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", body)
    assert status == 400 and problem in fake.requests[-1].problems


async def test_an_acknowledgement_after_three_seconds_is_unknown(fake):
    it = interaction(fake)
    fake.age_interaction(it, 3.5)
    status, body = await call(fake, "POST", f"/interactions/{it['id']}/{it['token']}/callback", {"type": 5})
    assert status == 404 and body["code"] == 10062


async def test_a_second_acknowledgement_is_refused(fake):
    it = interaction(fake)
    assert (await call(fake, "POST", f"/interactions/{it['id']}/{it['token']}/callback", {"type": 5}))[0] == 200
    status, body = await call(fake, "POST", f"/interactions/{it['id']}/{it['token']}/callback", {"type": 5})
    assert status == 400 and body["code"] == 40060


async def test_the_interaction_token_lasts_fifteen_minutes(fake):
    it = interaction(fake)
    await call(fake, "POST", f"/interactions/{it['id']}/{it['token']}/callback", {"type": 5})
    assert (await call(fake, "PATCH", f"/webhooks/1/{it['token']}/messages/@original", {"content": "ok"}))[0] == 200
    fake.age_interaction(it, 15 * 60 + 1)
    status, body = await call(fake, "PATCH", f"/webhooks/1/{it['token']}/messages/@original", {"content": "late"})
    assert status == 401 and body["code"] == 50027
    status, body = await call(fake, "POST", f"/webhooks/1/{it['token']}", {"content": "late"})
    assert status == 401 and body["code"] == 50027


async def test_rate_limits_answer_429_with_retry_after(fake):
    fake.rate_limit("POST", r"/channels/\d+/messages$", retry_after=0.25)
    async with aiohttp.ClientSession() as s, s.post(
        f"{fake.api_base}/channels/{CHANNEL_ID}/messages", json={"content": "hi"}
    ) as r:
        assert r.status == 429 and r.headers["Via"] and (await r.json())["retry_after"] == 0.25
    for _ in range(5):  # the channel's own bucket: 5 messages per 5 s
        assert (await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"content": "hi"}))[0] == 200
    status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"content": "hi"})
    assert status == 429 and 0 < body["retry_after"] <= 5


async def test_one_thread_per_message(fake):
    _, msg = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"content": "question"})
    status, thread = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages/{msg['id']}/threads", {"name": "q"})
    assert status == 200 and thread["id"] == msg["id"] and thread["parent_id"] == str(CHANNEL_ID)
    status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages/{msg['id']}/threads", {"name": "q"})
    assert status == 400 and body["code"] == 160004
    status, body = await call(fake, "POST", f"/channels/{thread['id']}/messages/{msg['id']}/threads", {"name": "q"})
    assert status == 400 and body["code"] == 50024  # no thread inside a thread


async def test_threads_need_the_permission():
    fake = await FakeDiscord(bot_permissions=(1 << 10) | (1 << 11)).start()
    try:
        _, msg = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"content": "question"})
        status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages/{msg['id']}/threads", {"name": "q"})
        assert status == 403 and body["code"] == 50013
    finally:
        await fake.close()


async def test_a_reply_needs_read_message_history():
    from fake_discord import BOT_PERMISSIONS, READ_HISTORY

    fake = await FakeDiscord(bot_permissions=BOT_PERMISSIONS & ~READ_HISTORY).start()
    try:
        _, msg = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", {"content": "question"})
        reply = {"content": "answer", "message_reference": {"message_id": msg["id"]}}
        status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", reply)
        assert status == 403 and body["code"] == 50013
    finally:
        await fake.close()


async def test_no_thread_on_an_ephemeral_message(fake):
    it = interaction(fake)
    status, _ = await call(fake, "POST", f"/interactions/{it['id']}/{it['token']}/callback",
                           {"type": 4, "data": {"content": "only you", "flags": 64}})
    assert status == 200
    message_id = fake.interactions[it["id"]].original_id
    status, body = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages/{message_id}/threads", {"name": "q"})
    assert status == 404 and body["code"] == 10008


async def test_allowed_mentions_parse_and_a_list_are_exclusive(fake):
    body = {"content": "<@&5> help", "allowed_mentions": {"parse": ["roles"], "roles": ["5"]}}
    status, answer = await call(fake, "POST", f"/channels/{CHANNEL_ID}/messages", body)
    assert status == 400 and answer["code"] == 50035


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ({"name": "Ask", "description": "x"}, "0.name: 'Ask' is not 1..32 lowercase"),
        ({"name": "ask", "description": ""}, "0.description: length 0 not in 1..100"),
        ({"name": "ask", "description": "x" * 101}, "0.description: length 101 not in 1..100"),
        ({"name": "ask", "description": "x", "options": [
            {"name": "a", "description": "x", "type": 3}, {"name": "b", "description": "x", "type": 3, "required": True},
        ]}, "0.options.1: required options must come before optional ones"),
        ({"name": "Ask citebot", "type": 3, "description": "x"}, "context menu commands have no description"),
    ],
)
async def test_command_overwrites_are_checked(fake, command, problem):
    status, body = await call(fake, "PUT", "/applications/900000000000000001/commands", [command])
    assert status == 400 and body["code"] == 50035
    assert any(problem in p for p in body["errors"]["_problems"]), body
