"""Sources (the passages behind an answer) and 👍 / 👎 (what ``citebot feedback`` reads)."""

from __future__ import annotations

from bot.buttons._base import ANSWER_ID, CitebotButton, Interaction, service_of
from bot.errors import NO_MENTIONS
from bot.formatting import sources_embed


class SourcesButton(CitebotButton, template=rf"citebot:src:{ANSWER_ID}"):
    prefix = "citebot:src"

    @classmethod
    def make(cls, *, answer_id: str) -> SourcesButton:  # type: ignore[override]
        return cls(label="Sources", emoji="📚", answer_id=answer_id, row=0)

    async def run(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        stored = await service.recall(self.values["answer_id"])
        embed = sources_embed(stored.answer, docs_base_url=service.settings.docs_base_url)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


class VoteButton(CitebotButton, template=rf"citebot:vote:(?P<vote>up|down):{ANSWER_ID}"):
    prefix = "citebot:vote"
    fields = ("vote", "answer_id")

    @classmethod
    def make(cls, *, vote: str, answer_id: str) -> VoteButton:  # type: ignore[override]
        return cls(emoji="👍" if vote == "up" else "👎", vote=vote, answer_id=answer_id, row=1)

    async def run(self, interaction: Interaction) -> None:
        vote = self.values["vote"]
        await service_of(interaction).vote(self.values["answer_id"], interaction.user.id, vote)
        text = "Thanks, glad it helped." if vote == "up" else "Thanks: this question is now on the list of answers to improve."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
