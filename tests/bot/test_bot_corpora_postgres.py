"""Per-guild corpora on the postgres backend (CITEBOT_STORE=postgres): two corpora in one database,
one service; each server's questions are answered from its own corpus only, and a rebuild of one
leaves the other answering (the real builder and Engine over PostgresBackend, the fast fake embedder)."""

from __future__ import annotations

import asyncio

from botfakes import TOKEN
from test_bot_corpora import FIRE, GARDEN, write_docs

from bot.service import CitebotService, build_index, open_engine
from bot.settings import BotSettings

GUILD_A, GUILD_B = 111111111111111111, 222222222222222222


async def test_two_corpora_in_one_postgres_database(tmp_path, pg_dsn, fake_embedder):
    write_docs(tmp_path / "fire", FIRE)
    write_docs(tmp_path / "garden", GARDEN)
    (tmp_path / "corpora.toml").write_text(
        f'[corpus.fire]\ndocs_dir = "fire"\nguilds = [{GUILD_A}]\n\n[corpus.garden]\ndocs_dir = "garden"\n'
        f'guilds = [{GUILD_B}]\n', encoding="utf-8")
    settings = BotSettings(_env_file=None, discord_token=TOKEN, corpora=str(tmp_path / "corpora.toml"),
                           store="postgres", pg_dsn=pg_dsn, index_dir=tmp_path / "index",
                           feedback_db=tmp_path / "fb.sqlite3")
    corpora = settings.corpus_settings()
    assert (corpora["fire"].corpus, corpora["garden"].corpus) == ("fire", "garden")  # one database, two corpora
    for name in ("fire", "garden"):
        await asyncio.to_thread(build_index, corpora[name], fake_embedder)
    service = CitebotService(settings, opener=lambda s, e: open_engine(s, e or fake_embedder),
                             builder=lambda s, e: build_index(s, e or fake_embedder))
    await service.start()
    try:
        texts = {"fire": dict(FIRE), "garden": dict(GARDEN)}
        for name in ("fire", "garden"):
            assert type(service.corpora[name].engine.backend).__name__ == "PostgresBackend"
        assert service.store.dialect == "postgres"  # the feedback store shares the index's database

        def assert_from(corpus: str, answer) -> None:  # noqa: ANN001
            assert answer.citations
            other = "".join(texts["garden" if corpus == "fire" else "fire"].values())
            for c in answer.citations:
                assert texts[corpus][c.source][c.char_start : c.char_end] == c.quote
                assert c.quote not in other

        assert_from("fire", await service.ask("When did the fire start in the bakery?", guild_id=GUILD_A))
        assert_from("garden", await service.ask("When does the garden concert start?", guild_id=GUILD_B))
        assert sorted(service.corpus_for(GUILD_B).paths()) == ["guide.md", "plants/", "plants/roses.md"]

        fire_engine = service.corpora["fire"].engine
        tulips = "# Tulips\n\nThe tulips bloom in April near the pond.\n"
        (tmp_path / "garden" / "plants" / "tulips.md").write_text(tulips, encoding="utf-8")
        texts["garden"]["plants/tulips.md"] = tulips
        rebuild = service.start_reindex(GUILD_B)
        assert_from("fire", await service.ask("How many firefighters answered the call?", guild_id=GUILD_A))
        result = await rebuild
        assert result.documents == 3 and service.corpora["fire"].engine is fire_engine
        answer = await service.ask("When do the tulips bloom?", guild_id=GUILD_B)
        assert_from("garden", answer)
        assert any("April" in c.quote for c in answer.citations)
        answer = await service.ask("When do the tulips bloom?", guild_id=GUILD_A)
        assert not any("tulips" in c.quote for c in answer.citations)
    finally:
        await service.close()
        for slot in service.corpora.values():
            close = getattr(getattr(slot.info and slot.engine, "backend", None), "close", None)
            if close is not None:
                close()
