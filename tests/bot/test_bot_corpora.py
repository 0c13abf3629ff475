"""One bot process, two servers, two corpora (CITEBOT_CORPORA), with the REAL builder and engine.

Each server gets quotes only from its own documents; /status, /reindex and the source picker are
the caller's corpus's; a rebuild of one leaves the other answering.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path

import pytest
from botfakes import CALLBACK, FOLLOWUP, bot_settings, callback_of, custom_ids, original_of
from fake_discord import CHANNEL2_ID, CHANNEL_ID, GUILD2_ID, GUILD_ID, FakeDiscord

from bot.feedback import FeedbackStore
from bot.service import CitebotService, build_index, open_engine

FIRE = {
    "guide.md": "# Fire notes\n\nThe fire started at 3 a.m. in the kitchen of the bakery.\n\n"
                "Forty firefighters answered the call within eight minutes.\n",
    "history/brigade.md": "# Brigade\n\nThe brigade was founded in 1811 by Napoleon.\n",
}
GARDEN = {
    "guide.md": "# Garden notes\n\nThe concert in the garden starts at 9 p.m. on Sundays.\n\n"
                "Tickets for the garden concert cost twelve euros.\n",
    "plants/roses.md": "# Roses\n\nThe roses are pruned every March by the gardeners.\n",
}


def write_docs(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def git_commit(folder: Path) -> str:
    run = lambda *args: subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True)  # noqa: E731
    run("init", "-q")
    run("add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "docs")
    return run("rev-parse", "HEAD").stdout.strip()


class HeldBuilder:
    """The real build_index, held open by ``gate`` (to ask while a rebuild runs)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.gate = threading.Event()
        self.gate.set()
        self.built: list[Path] = []

    def __call__(self, settings, embedder):
        self.gate.wait(30)
        self.built.append(Path(settings.index_dir))
        return build_index(settings, embedder or self.embedder)


def stored_citations(settings, reply: dict) -> list:
    answer_id = custom_ids(reply)[0].rsplit(":", 1)[1]
    stored = FeedbackStore(settings.feedback_db).load(answer_id)
    assert stored is not None
    return stored.answer.citations


@pytest.fixture
def fake_options():
    return {"second_guild": True}


@pytest.mark.model
async def test_two_servers_two_corpora_one_process(start_bot, fake_discord: FakeDiscord, tmp_path, real_embedder):
    fire_docs, garden_docs = tmp_path / "fire", tmp_path / "garden"
    write_docs(fire_docs, FIRE)
    write_docs(garden_docs, GARDEN)
    commit = git_commit(fire_docs)
    config = tmp_path / "corpora.toml"
    config.write_text(
        f'[corpus.fire]\ndocs_dir = "fire"\nindex_dir = "idx/fire"\nguilds = [{GUILD_ID}]\n'
        'repo_url = "https://github.com/fire/docs"\n\n'
        f'[corpus.garden]\ndocs_dir = "garden"\nindex_dir = "idx/garden"\nguilds = [{GUILD2_ID}]\n',
        encoding="utf-8",
    )
    # guild_id=None: the commands are synced globally, for both servers
    settings = bot_settings(fake_discord, tmp_path, corpora=str(config), guild_id=None)
    corpora = settings.corpus_settings()
    for name in ("fire", "garden"):
        await asyncio.to_thread(build_index, corpora[name], real_embedder)
    builder = HeldBuilder(real_embedder)
    service = CitebotService(settings, opener=lambda s, e: open_engine(s, e or real_embedder), builder=builder)
    bot = await start_bot(service=service, corpora=str(config), guild_id=None)
    assert bot.settings.corpora == settings.corpora
    assert fake_discord.find("PUT", r"^/applications/\d+/commands$")  # a global sync: both servers see them
    assert service.corpora["default"].problem  # no index for the default corpus: told, not fatal
    texts = {"fire": {**FIRE}, "garden": {**GARDEN}}

    async def ask_in(channel: int, question: str) -> tuple[dict, list]:
        interaction = await fake_discord.slash("ask", question=question, channel_id=channel)
        reply = await original_of(fake_discord, interaction, timeout=60)
        return reply, stored_citations(settings, reply)

    def assert_from(corpus: str, citations: list) -> None:
        assert citations
        for c in citations:  # verbatim, and from this corpus's documents only
            assert texts[corpus][c.source][c.char_start : c.char_end] == c.quote
            other = "garden" if corpus == "fire" else "fire"
            assert c.quote not in "".join(texts[other].values())

    # the same question in both servers: each answers from its own docs
    reply1, cites1 = await ask_in(CHANNEL_ID, "When does it start?")
    reply2, cites2 = await ask_in(CHANNEL2_ID, "When does it start?")
    assert_from("fire", cites1)
    assert_from("garden", cites2)
    assert "3 a.m." in reply1["embeds"][0]["description"] and "9 p.m." in reply2["embeds"][0]["description"]
    assert f"https://github.com/fire/docs/blob/{commit}/guide.md#L" in reply1["embeds"][0]["description"]
    assert "github.com/fire" not in reply2["embeds"][0]["description"]  # the other corpus's links never leak
    # a question only the other server's docs answer: never quoted from them
    _, cites = await ask_in(CHANNEL_ID, "How much do tickets for the garden concert cost?")
    assert all(texts["fire"][c.source][c.char_start : c.char_end] == c.quote for c in cites)
    assert not any("twelve euros" in c.quote for c in cites)

    # a mention in the second server: its corpus too
    await fake_discord.post_message(f"<@{fake_discord.bot_user['id']}> when are the roses pruned?", channel_id=CHANNEL2_ID)
    mention = (await fake_discord.wait_for("POST", rf"^/channels/{CHANNEL2_ID}/messages$", timeout=60))[0].json
    assert_from("garden", stored_citations(settings, mention))
    assert "every March" in mention["embeds"][0]["description"]

    # the source picker lists the caller's corpus
    typing = await fake_discord.autocomplete("ask", "source", question="x", source="", channel_id=CHANNEL2_ID)
    choices = {c["value"] for c in (await callback_of(fake_discord, typing))["data"]["choices"]}
    assert choices == {"guide.md", "plants/", "plants/roses.md"}

    # /status: the caller's corpus, its documents, the indexed commit
    status1 = await fake_discord.slash("status", channel_id=CHANNEL_ID)
    status2 = await fake_discord.slash("status", channel_id=CHANNEL2_ID)
    fields1 = {f["name"]: f["value"] for f in (await callback_of(fake_discord, status1))["data"]["embeds"][0]["fields"]}
    fields2 = {f["name"]: f["value"] for f in (await callback_of(fake_discord, status2))["data"]["embeds"][0]["fields"]}
    assert fields1["Corpus"] == "fire" and fields2["Corpus"] == "garden"
    assert fields1["Documents"] == "2" and fields2["Documents"] == "2"
    assert fields1["Indexed commit"].startswith(f"`{commit[:12]}` (read <t:")
    assert "Indexed commit" not in fields2 and fields2["Indexed at"].endswith("(not a git work tree)")

    # /reindex in the second server rebuilds only its corpus; meanwhile both keep answering
    fire_engine = service.corpora["fire"].engine
    (garden_docs / "plants" / "tulips.md").write_text("# Tulips\n\nThe tulips bloom in April near the pond.\n",
                                                      encoding="utf-8")
    builder.gate.clear()
    reindex = await fake_discord.slash("reindex", admin=True, channel_id=CHANNEL2_ID)
    started = (await callback_of(fake_discord, reindex))["data"]["content"]
    assert started.startswith("Rebuilding the index of corpus `garden` in the background")
    assert service.corpora["garden"].reindexing and not service.corpora["fire"].reindexing
    _, cites = await ask_in(CHANNEL_ID, "How many firefighters answered the call?")
    assert_from("fire", cites)
    _, cites = await ask_in(CHANNEL2_ID, "When are the roses pruned?")  # the old garden index, still serving
    assert_from("garden", cites)
    builder.gate.set()
    followup = (await fake_discord.wait_for("POST", FOLLOWUP.format(token=reindex["token"]), timeout=120))[0].json
    assert followup["content"].startswith("Reindexed corpus `garden`: 3 documents"), followup
    assert builder.built == [corpora["garden"].index_dir]
    assert service.corpora["fire"].engine is fire_engine  # untouched
    texts["garden"]["plants/tulips.md"] = (garden_docs / "plants" / "tulips.md").read_text(encoding="utf-8")
    reply, cites = await ask_in(CHANNEL2_ID, "When do the tulips bloom?")
    assert_from("garden", cites)
    assert "April" in reply["embeds"][0]["description"]
    _, cites = await ask_in(CHANNEL_ID, "When do the tulips bloom?")
    assert not any("tulips" in c.quote for c in cites)  # the first server never sees the new file
    assert fake_discord.find("POST", CALLBACK.format(id=reindex["id"]))
