"""`citebot run` with a damaged index: the bot still connects, says what is wrong, and /reindex repairs it.

The real ``Engine.open`` and ``build_index`` over a real (damaged) index directory; the fast fake
embedder from tests/conftest.py stands in for the model.
"""

from __future__ import annotations

import json

import numpy as np
from botfakes import FOLLOWUP, ask, bot_settings, callback_of

from bot.service import CitebotService
from tests.conftest import FakeEmbedder


async def test_a_damaged_index_keeps_the_bot_up_until_reindex(start_bot, fake_discord, tmp_path):
    from index.ingest.builder import build_index
    from index.query.engine import Engine

    settings = bot_settings(fake_discord, tmp_path)
    settings.docs_dir.mkdir()
    (settings.docs_dir / "fire.txt").write_text("A caretaker saved two babies from a burning building in Paris.\n")
    embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)
    pointer = json.loads((settings.index_dir / "current.json").read_text())["generation"]
    vectors = settings.index_dir / pointer / "unit_vectors.npy"
    damaged = np.load(vectors)
    damaged[0, 0] = np.nan
    np.save(vectors, damaged, allow_pickle=False)

    service = CitebotService(
        settings,
        opener=lambda s, e: Engine.open(s, embedder=embedder),
        builder=lambda s, e: build_index(s, embedder=embedder),
    )
    await start_bot(service=service)  # connects although the index cannot be opened
    assert service.problem is not None and "damaged" in service.problem and "rebuild" in service.problem

    _, original = await ask(fake_discord, "who saved the babies?")
    assert original["content"] == service.problem  # one line, no traceback

    interaction = await fake_discord.slash("reindex", admin=True)
    await callback_of(fake_discord, interaction)
    followup = (await fake_discord.wait_for("POST", FOLLOWUP.format(token=interaction["token"]), timeout=60))[0]
    assert followup.json["content"].startswith("Reindexed 1 document"), followup.json
    assert service.problem is None
    _, original = await ask(fake_discord, "who saved the babies?")
    assert "caretaker" in original["embeds"][0]["description"]
