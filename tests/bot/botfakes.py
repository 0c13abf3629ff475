"""Test doubles for the Discord layer: deterministic answers, a fake engine, builder and opener.

(Not in conftest.py: test modules import these names, and ``conftest`` is ambiguous
when tests/ and tests/bot/ both have one.)
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
from fake_discord import GUILD_ID, FakeDiscord

from bot import formatting as fmt
from bot.settings import BotSettings
from index.query.answer import Answer, Citation, Passage
from index.query.engine import IndexInfo

TOKEN = "FAKE.token-never-to-be-logged.0123456789"

FIRE_DOC = (
    "Paris Fire Brigade, annual notes.\n"
    "The fire started at 3 a.m. in the kitchen of the bakery on Rue Mouffetard.\n"
    "Forty firefighters answered the call within eight minutes.\n"
)
EVERYONE_DOC = (
    "Bulletin board.\n"
    "@everyone must leave the building now. Tell <@123456789012345678> too, "
    "and read [the rules](http://evil.example/x) first.\n"
)
LONG_SENTENCE = "The brigade kept a careful record of every call it answered that winter, street by street. "
LONG_DOC = "Long report.\n" + LONG_SENTENCE * 120
CJK_PATH = "指/" + "非常长的中文文件名" * 20 + ".md"  # 185 characters, 1,600+ once percent-encoded
CJK_DOC = "# 指南\n" + "".join(f"第{i}条：消防队在八分钟内到达了现场，并且控制了火势。\n" for i in range(1, 40))
STEPS_DOC = (
    "# Install\n"
    "Run pip install brigade to get the client.\n"
    "The client needs Python 3.11 or newer.\n"
    "## Timeouts\n"
    "The default timeout is five seconds.\n"
    "Set timeout=None to wait forever.\n"
    "A timeout of zero fails at once.\n"
    "Timeouts apply to connect and read alike.\n"
    "Pool timeouts are separate.\n"
    "Retries never reset a timeout.\n"
    "## Proxies\n"
    "Proxies are read from the environment.\n"
)
DOCS = {
    "fire.txt": FIRE_DOC, "board.txt": EVERYONE_DOC, "long-report.txt": LONG_DOC, CJK_PATH: CJK_DOC,
    "docs/guide/timeouts.md": STEPS_DOC, "docs/guide/proxies.md": "Proxies are read from the environment.\n",
    "docs/api.md": "The Client class sends requests.\n",
}


def cite(source: str, quote: str, score: float = 0.9) -> Citation:
    text = DOCS[source]
    start = text.index(quote)
    line = text.count("\n", 0, start) + 1
    return Citation(quote=quote, source=source, line=line, char_start=start, char_end=start + len(quote), score=score)


def passage(source: str, text: str, score: float = 0.5) -> Passage:
    doc = DOCS[source]
    start = doc.index(text)
    return Passage(text=text, source=source, char_start=start, char_end=start + len(text), score=score,
                   line=doc.count("\n", 0, start) + 1)


FIRE_QUOTE = "The fire started at 3 a.m. in the kitchen of the bakery on Rue Mouffetard."
EVERYONE_QUOTE = EVERYONE_DOC.splitlines()[1]


def fake_answer(question: str) -> Answer:
    """Deterministic answers keyed on words of the question."""
    q = question.lower()
    if "everyone" in q:
        c = cite("board.txt", EVERYONE_QUOTE)
        return Answer(question, False, [c], [passage("board.txt", EVERYONE_QUOTE, 0.8)])
    if "long" in q:
        quote = LONG_DOC[len("Long report.\n"):].rstrip()
        cites = [cite("long-report.txt", quote, 0.8 - i / 10) for i in range(3)]
        passages = [passage("long-report.txt", quote, 0.8 - i / 10) for i in range(10)]
        return Answer(question, False, cites, passages)
    if "timeout" in q:  # eight candidate quotes: three shown, five for "Next match"
        lines = [ln for ln in STEPS_DOC.splitlines() if "imeout" in ln and not ln.startswith("#")]
        cites = [cite("docs/guide/timeouts.md", ln, 0.9 - i / 20) for i, ln in enumerate(lines)]
        cites.append(cite("docs/guide/proxies.md", "Proxies are read from the environment.", 0.3))
        cites.append(cite("fire.txt", FIRE_QUOTE, 0.2))
        return Answer(question, False, cites, [passage("docs/guide/timeouts.md", lines[0], 0.8),
                                               passage("fire.txt", FIRE_QUOTE, 0.3)])
    if "pdf" in q:
        c = cite("fire.txt", FIRE_QUOTE)
        c = Citation(c.quote, "manual.pdf", c.line, c.char_start, c.char_end, c.score, page=3)
        p = Passage(FIRE_QUOTE, "manual.pdf", c.char_start, c.char_end, 0.9, line=c.line, page=3)
        return Answer(question, False, [c], [p])
    if "cjk" in q:
        lines = CJK_DOC.splitlines()[1:]
        cites = [cite(CJK_PATH, "\n".join(lines[i * 12 : (i + 1) * 12]), 0.9 - i / 10) for i in range(3)]
        return Answer(question, False, cites, [passage(CJK_PATH, lines[i], 0.5) for i in range(5)])
    if "weather" in q or "unknown" in q:
        return Answer(question, True, [], [passage("fire.txt", FIRE_DOC.splitlines()[2] + "\n", 0.2),
                                           passage("long-report.txt", LONG_SENTENCE.strip(), 0.1)])
    c = cite("fire.txt", FIRE_QUOTE)
    return Answer(question, False, [c], [passage("fire.txt", FIRE_QUOTE, 0.9), passage("fire.txt", "Forty firefighters answered the call within eight minutes.", 0.4)])


def doc_records() -> list[SimpleNamespace]:
    return [SimpleNamespace(source=source, text=text) for source, text in DOCS.items()]


class FakeEngine:
    """Same surface as index.query.engine.Engine: ask(question, k), info, embedder, data.docs."""

    def __init__(self, *, delay: float = 0.0, documents: int = 3, chunks: int = 42, embedder: Any = None) -> None:
        self.delay = delay
        self.embedder = embedder if embedder is not None else object()
        self.info = IndexInfo(
            index_dir=Path("/nonexistent/index"),
            documents=documents,
            chunks=chunks,
            built_at="2024-05-01T12:00:00+00:00",
            model="fake-minilm",
            backend="torch",
        )
        self.data = SimpleNamespace(docs=doc_records())
        self.questions: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def ask(self, question: str, k: int | None = None) -> Answer:
        with self._lock:
            self.questions.append(question)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.delay:
                time.sleep(self.delay)  # CPU-bound stand-in: blocks its worker thread, not the loop
            return fake_answer(question)
        finally:
            with self._lock:
                self.active -= 1


class SectionedFakeEngine(FakeEngine):
    """A fake engine that also knows its documents' heading sections (Engine.section's contract)."""

    def section(self, source: str, offset: int):
        from index.query.context import Excerpt

        text = DOCS[source]
        starts = [m.start() for m in re.finditer(r"(?m)^#+ ", text)]
        start = max([s for s in starts if s <= offset], default=0)
        end = min([s for s in starts if s > start], default=len(text))
        body = text[start:end].rstrip()
        heading = text[start : text.index("\n", start)].lstrip("# ") if start in starts else ""
        line = text.count("\n", 0, start) + 1
        return Excerpt(body, start, start + len(body), line, line + body.count("\n"), heading)


class FakeBuilder:
    """Stands in for index.ingest.builder.build_index; ``gate`` lets a test hold the build open."""

    def __init__(self) -> None:
        self.calls: list[Any] = []  # the embedder passed each time
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, settings: BotSettings, embedder: Any) -> SimpleNamespace:
        self.calls.append(embedder)
        self.gate.wait(10)
        return SimpleNamespace(documents=4, chunks=57, skipped=[], seconds=0.01, chunks_per_second=5700.0)


class FakeOpener:
    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.engines: list[FakeEngine] = []

    def __call__(self, settings: BotSettings, embedder: Any) -> FakeEngine:
        self.calls.append(embedder)
        engine = FakeEngine(documents=4, chunks=57, embedder=embedder)
        self.engines.append(engine)
        return engine


def bot_settings(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "discord_token": TOKEN,
        "discord_api_base": fake.api_base,
        "discord_gateway": fake.gateway_url,
        "guild_id": GUILD_ID,
        "feedback_db": tmp_path / "feedback.sqlite3",
        "docs_dir": tmp_path / "docs",
        "index_dir": tmp_path / "index",
        "cooldown_rate": 1000,
        "cooldown_seconds": 60,
        "max_concurrent_asks": 4,
        "answer_mode": "reply",  # the thread tests ask for threads themselves
    }
    values.update(overrides)
    return BotSettings(_env_file=None, **values)


# ---------------------------------------------------------------- assertions on recorded requests

CALLBACK = r"^/interactions/{id}/[^/]+/callback$"
ORIGINAL = r"^/webhooks/\d+/{token}/messages/@original$"
FOLLOWUP = r"^/webhooks/\d+/{token}$"
MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 64


async def callback_of(fake, interaction, timeout=10.0):
    return (await fake.wait_for("POST", CALLBACK.format(id=interaction["id"]), timeout=timeout))[0].json


async def original_of(fake, interaction, timeout=10.0):
    return (await fake.wait_for("PATCH", ORIGINAL.format(token=interaction["token"]), timeout=timeout))[0].json


async def ask(fake, question, **kw):
    """Run /ask and return (callback body, PATCH @original body)."""
    interaction = await fake.slash("ask", question=question, **kw)
    return await callback_of(fake, interaction), await original_of(fake, interaction)


def custom_ids(message):
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


def embed_within_limits(embed: discord.Embed | dict) -> None:
    data = embed.to_dict() if isinstance(embed, discord.Embed) else embed
    title = data.get("title", "")
    description = data.get("description", "")
    footer = data.get("footer", {}).get("text", "")
    fields = data.get("fields", [])
    assert len(title) <= fmt.TITLE_LIMIT
    assert len(description) <= fmt.DESCRIPTION_LIMIT
    assert len(footer) <= fmt.FOOTER_LIMIT
    assert len(fields) <= fmt.FIELD_COUNT_LIMIT
    for f in fields:
        assert 0 < len(f["name"]) <= fmt.FIELD_NAME_LIMIT
        assert 0 < len(f["value"]) <= fmt.FIELD_VALUE_LIMIT
    total = len(title) + len(description) + len(footer) + sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= fmt.TOTAL_LIMIT


def button(message, prefix: str) -> str:
    """The custom_id of the button on ``message`` whose id starts with ``prefix``."""
    found = [c for c in custom_ids(message) if c.startswith(prefix)]
    assert found, f"no {prefix!r} button on the message: {custom_ids(message)}"
    return found[0]


def quotes_of(embed: dict) -> list[str]:
    """The quoted lines of an answer embed (block quotes, without "> ")."""
    return [line[2:] for line in (embed.get("description") or "").splitlines() if line.startswith("> ")]
