"""Test doubles for the Discord layer: deterministic answers, a fake engine, builder and opener.

(Not in conftest.py: test modules import these names, and ``conftest`` is ambiguous
when tests/ and tests/bot/ both have one.)
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.settings import BotSettings
from index.answer import Answer, Citation, Passage
from index.engine import IndexInfo

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
DOCS = {"fire.txt": FIRE_DOC, "board.txt": EVERYONE_DOC, "long-report.txt": LONG_DOC}


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
    if "weather" in q or "unknown" in q:
        return Answer(question, True, [], [passage("fire.txt", FIRE_DOC.splitlines()[2] + "\n", 0.2),
                                           passage("long-report.txt", LONG_SENTENCE.strip(), 0.1)])
    c = cite("fire.txt", FIRE_QUOTE)
    return Answer(question, False, [c], [passage("fire.txt", FIRE_QUOTE, 0.9), passage("fire.txt", "Forty firefighters answered the call within eight minutes.", 0.4)])


class FakeEngine:
    """Same surface as index.engine.Engine: ask(question, k), info, embedder."""

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


class FakeBuilder:
    """Stands in for index.builder.build_index; ``gate`` lets a test hold the build open."""

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
