"""The deterministic follow-ups under an answer, each private to whoever clicks:

* **More context** — every shown quote with ``CITEBOT_CONTEXT_LINES`` lines before and after it, verbatim;
* **Whole section** — the top quote's heading section (engines that know their headings);
* **Next match** — the next candidate after the shown quotes (stored with the answer), one at a time.

What they show comes from the stored answer and the current index, checked to still hold the quote
at its offsets: after a rebuild that changed the document they say so instead of showing the wrong text.
"""

from __future__ import annotations

import asyncio

import discord

from bot.buttons._base import ANSWER_ID, CitebotButton, Interaction, service_of
from bot.errors import NO_MENTIONS
from bot.excerpts import excerpt_embed, next_match_embed
from index.query import context


class MoreContextButton(CitebotButton, template=rf"citebot:ctx:{ANSWER_ID}"):
    prefix = "citebot:ctx"

    @classmethod
    def make(cls, *, answer_id: str) -> MoreContextButton:  # type: ignore[override]
        return cls(label="More context", emoji="📖", answer_id=answer_id, row=0)

    async def run(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        stored = await service.recall(self.values["answer_id"])
        engine = service.corpus_of(stored).engine
        n = service.settings.context_lines
        pieces = await asyncio.to_thread(lambda: [(c, context.around(engine, c, n)) for c in stored.answer.citations])
        embed = excerpt_embed("More context: " + stored.answer.question, pieces, base_url=service.settings.docs_base_url)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


class SectionButton(CitebotButton, template=rf"citebot:sec:{ANSWER_ID}"):
    prefix = "citebot:sec"

    @classmethod
    def make(cls, *, answer_id: str) -> SectionButton:  # type: ignore[override]
        return cls(label="Whole section", emoji="📑", answer_id=answer_id, row=0)

    async def run(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        stored = await service.recall(self.values["answer_id"])
        engine = service.corpus_of(stored).engine
        top = stored.answer.citations[0]
        excerpt = await asyncio.to_thread(context.section, engine, top)
        embed = excerpt_embed("Section: " + stored.answer.question, [(top, excerpt)],
                              base_url=service.settings.docs_base_url, heading=True)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


class NextMatchButton(CitebotButton, template=rf"citebot:next:{ANSWER_ID}:(?P<position>[1-9][0-9]?)"):
    prefix = "citebot:next"
    fields = ("answer_id", "position")

    @classmethod
    def make(cls, *, answer_id: str, position: int | str = 1) -> NextMatchButton:  # type: ignore[override]
        label = "Next match" if int(position) == 1 else f"Next match ({position})"
        return cls(label=label, emoji="➡️", answer_id=answer_id, position=int(position), row=0)

    async def run(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        stored = await service.recall(self.values["answer_id"])
        position = int(self.values["position"])
        if position > len(stored.more):
            await interaction.response.send_message(
                "There is no further match for this question.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        c = stored.more[position - 1]
        embed = next_match_embed(stored.answer.question, c, position, len(stored.more),
                                 base_url=service.settings.docs_base_url)
        view = None
        if position < len(stored.more):
            view = discord.ui.View(timeout=None)
            view.add_item(NextMatchButton.make(answer_id=stored.answer_id, position=position + 1))
        kwargs = {"view": view} if view is not None else {}
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs)
