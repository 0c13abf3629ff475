"""bot.formatting on its own: escaping, cutting at sentence boundaries, Discord's limits."""

from __future__ import annotations

import re

import discord
from botfakes import EVERYONE_QUOTE, FIRE_QUOTE, embed_within_limits, fake_answer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import formatting as fmt
from index.query.answer import Answer, Citation, Part, Passage
from index.query.engine import IndexInfo

# ---------------------------------------------------------------- escaping


def test_escape_neutralises_mentions():
    out = fmt.escape("@everyone and @here, <@123456789012345678>, <@!1>, <@&42>, <#99>")
    assert "@everyone" not in out and "@here" not in out
    assert "<@1" not in out and "<@!" not in out and "<@&" not in out and "<#" not in out
    assert out.replace(fmt.ZWSP, "") == "@everyone and @here, <@123456789012345678>, <@!1>, <@&42>, <#99>"


def test_escape_breaks_masked_and_bare_links():
    out = fmt.escape("read [the rules](http://evil.example/x) or https://evil.example/y")
    assert "http://" not in out and "https://" not in out
    assert not re.search(r"(?<!\\)\[[^\]]*\]\(", out)  # no unescaped masked link


def test_escape_markdown():
    out = fmt.escape("**bold** _it_ `code` ||spoiler|| ~~gone~~\n> quote\n# Heading\n- item\n1. first")
    for raw in ("**bold**", "`code`", "||spoiler||", "~~gone~~", "\n> quote", "\n# Heading", "\n- item", "\n1. first"):
        assert raw not in out
    assert "\\*\\*bold\\*\\*" in out and "\\#" in out and "1\\. first" in out


def test_plain_text_is_unchanged():
    assert fmt.escape(FIRE_QUOTE) == FIRE_QUOTE


# ---------------------------------------------------------------- cutting


def test_shorten_keeps_short_text():
    assert fmt.shorten("Short. Text.", 100) == "Short. Text."


def test_shorten_cuts_at_sentence_boundary_with_ellipsis():
    text = "The first sentence is here. The second sentence is a bit longer than the first. Third one."
    out = fmt.shorten(text, 70)
    assert len(out) <= 70 and out.endswith(" …")
    assert out[: -len(" …")].endswith(".")
    assert text.startswith(out[: -len(" …")])


def test_shorten_falls_back_to_words_then_characters():
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    out = fmt.shorten(words, 25)
    assert len(out) <= 25 and out.endswith(" …") and words.startswith(out[:-2])
    assert fmt.shorten("x" * 50, 10) == "x" * 8 + " …"
    assert fmt.shorten("anything", 1) == "…"


def test_shorten_with_transform_respects_the_limit_after_escaping():
    text = "*a* " * 400
    out = fmt.shorten(text, 300, fmt.escape)
    assert len(out) <= 300 and out.endswith("…")


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab .!?\n*_`~|>#-@<[]()/:")), max_size=600),
    limit=st.integers(min_value=1, max_value=400),
)
def test_shorten_never_exceeds_the_limit(text, limit):
    assert len(fmt.shorten(text, limit, fmt.quote_block)) <= limit
    assert len(fmt.clip_content(text, limit)) <= limit


def test_clip_content():
    assert len(fmt.clip_content("Word. " * 1000)) <= fmt.CONTENT_LIMIT


# ---------------------------------------------------------------- embeds


def test_answer_embed_quotes_with_source_and_line():
    answer = fake_answer("When did the fire start?")
    embed = fmt.answer_embed(answer, answer_id="a" * 32)
    data = embed.to_dict()
    assert data["title"] == "When did the fire start?"
    assert f"> {FIRE_QUOTE}" in data["description"]
    assert "— **fire.txt**, line 2" in data["description"]
    assert "aaaaaaaa" in data["footer"]["text"]
    embed_within_limits(embed)


def test_answer_embed_links_when_base_url_configured():
    answer = Answer("q?", False, [Citation("Some words.", "dir/my notes.md", 7, 0, 11, 0.5)], [])
    embed = fmt.answer_embed(answer, docs_base_url="https://git.example/repo/blob/main")
    assert "[dir/my notes.md, line 7](https://git.example/repo/blob/main/dir/my%20notes.md#L7)" in embed.description
    embed = fmt.answer_embed(answer, docs_base_url="https://docs.example/")
    assert "(https://docs.example/dir/my%20notes.md#L7)" in embed.description


def test_everyone_quote_is_inert():
    embed = fmt.answer_embed(fake_answer("tell everyone"))
    assert "@everyone" not in embed.description
    assert "@" + fmt.ZWSP + "everyone" in embed.description
    assert "http://" not in embed.description
    assert EVERYONE_QUOTE.replace("@", "@" + fmt.ZWSP).split(" Tell")[0] in embed.description


def test_abstention_says_so_and_lists_nearest_passages():
    answer = fake_answer("what is the weather?")
    embed = fmt.answer_embed(answer)
    assert "do not answer" in embed.description
    assert len(embed.fields) == len(answer.passages)
    assert embed.fields[0].name.startswith("1. fire.txt, line 3")
    assert embed.fields[0].value.startswith("> Forty firefighters")
    embed_within_limits(embed)


def test_abstention_without_passages():
    embed = fmt.answer_embed(Answer("nothing?", True, [], []))
    assert "do not answer" in embed.description and not embed.fields


def test_long_answer_stays_within_limits_and_cuts_at_sentences():
    answer = fake_answer("a long one please " * 40)  # long question too
    embed = fmt.answer_embed(answer, answer_id="b" * 32, docs_base_url="https://docs.example/")
    embed_within_limits(embed)
    assert len(embed.title) <= fmt.TITLE_LIMIT and embed.title.endswith("…")
    blocks = embed.description.split("\n\n")
    assert len(blocks) == 3  # all three citations shown, each shortened
    for block in blocks:
        quote, ref = block.rsplit("\n", 1)
        assert quote.endswith(". …")  # cut after a sentence
        assert ref.startswith("— [long-report.txt, line 2](https://docs.example/long-report.txt#L2)")


def test_sources_embed_within_limits():
    answer = fake_answer("long")
    embed = fmt.sources_embed(answer, docs_base_url="https://docs.example")
    embed_within_limits(embed)
    assert len(embed.fields) == 10
    assert "score 0.80" in embed.fields[0].name
    assert "[open](https://docs.example/long-report.txt#L2)" in embed.fields[0].value


def test_fit_embed_trims_an_oversized_embed():
    embed = discord.Embed(title="t", description="Sentence. " * 400)
    for i in range(10):
        embed.add_field(name=f"f{i}", value="v" * 1000)
    embed_within_limits(fmt.fit_embed(embed))


def test_status_embed():
    info = IndexInfo(index_dir=None, documents=12, chunks=3456, built_at="2024-05-01T12:00:00+00:00",  # type: ignore[arg-type]
                     model="sentence-transformers/all-MiniLM-L6-v2", backend="onnx")
    embed = fmt.status_embed(info, uptime_seconds=3725, reindexing=True)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Documents"] == "12" and fields["Chunks"] == "3,456"
    assert fields["Built at"] == "<t:1714564800:f> (<t:1714564800:R>)"
    assert "all-MiniLM-L6-v2" in fields["Model"] and "onnx" in fields["Model"]
    assert fields["Uptime"] == "1 h 2 min"
    assert "Reindex" in fields
    embed = fmt.status_embed(None, uptime_seconds=5, problem="no index at x")
    assert embed.description == "no index at x"


def test_format_duration():
    assert fmt.format_duration(4.24) == "4.2 s"
    assert fmt.format_duration(125) == "2 min 5 s"
    assert fmt.format_duration(2 * 86400 + 3 * 3600) == "2 d 3 h"


def test_reindex_report():
    text = fmt.reindex_report(1, 340, 4.21, skipped=2)
    assert text.startswith("Reindexed 1 document (340 chunks) in 4.2 s.")
    assert "2 files were skipped" in text


def test_passage_line_shown():
    answer = Answer("q", True, [], [Passage("Text here.", "a.md", 0, 10, 0.3, line=9)])
    assert fmt.answer_embed(answer).fields[0].name == "1. a.md, line 9"


# ---------------------------------------------------------------- long, non-ASCII paths with links (issue 14.12)


def test_long_cjk_path_with_links_stays_within_the_description_limit():
    from botfakes import CJK_PATH

    assert len(CJK_PATH) == 185
    answer = fake_answer("cjk please")
    embed = fmt.answer_embed(answer, answer_id="c" * 32, docs_base_url="https://github.com/you/docs/blob/main/")
    embed_within_limits(embed)  # was 5,654 characters of description before links could fall back
    blocks = embed.description.split("\n\n")
    assert len(blocks) == 3
    for block, citation in zip(blocks, answer.citations, strict=True):
        quote, ref = block.rsplit("\n", 1)
        assert len(quote) >= fmt.MIN_QUOTE
        assert f"line {citation.line}" in ref
    assert "https://github.com/you/docs/blob/main/" in embed.description  # links kept where they fit


@settings(max_examples=80, deadline=None)
@given(
    sources=st.lists(st.text(min_size=1, max_size=300), min_size=1, max_size=10),
    quote=st.text(min_size=1, max_size=2000),
    base=st.sampled_from([None, "https://git.example/r/blob/main/", "https://d.example/" + "x" * 500 + "/"]),
    question=st.text(max_size=600),
)
def test_any_answer_embed_is_within_discords_limits(sources, quote, base, question):
    citations = [Citation(quote, s, i + 1, 0, len(quote), 0.5, page=i or None) for i, s in enumerate(sources)]
    passages = [Passage(quote, s, 0, len(quote), 0.5, line=i + 1) for i, s in enumerate(sources)]
    for answer in (Answer(question, False, citations, passages), Answer(question, True, [], passages)):
        embed_within_limits(fmt.answer_embed(answer, answer_id="d" * 32, docs_base_url=base))
        embed_within_limits(fmt.sources_embed(answer, docs_base_url=base))


# ---------------------------------------------------------------- display text, code, permalinks (issue 10's units)


def unit(**kw):
    """A citation as the units index gives it (display, kind, language, end_line, url)."""
    from types import SimpleNamespace

    base = dict(quote="x", source="docs/a.md", line=3, char_start=0, char_end=1, score=0.5, page=None,
                display="", kind="paragraph", language="", end_line=None, url=None)
    return SimpleNamespace(**{**base, **kw})


def test_display_text_code_blocks_and_permalinks():
    prose = unit(quote="Use **`timeout=None`** to [wait](x.md).", display="Use timeout=None to wait.")
    code = unit(quote="```python\nclient = httpx.Client(timeout=None)\n```", kind="code", language="python",
                display="client = httpx.Client(timeout=None)", line=10, end_line=12,
                url="https://github.com/o/r/blob/abc123/docs/a.md#L10-L12")
    embed = fmt.answer_embed(Answer("timeouts?", False, [prose, code], []), docs_base_url="https://docs.example/")
    text = embed.description
    assert "> Use timeout\\=None to wait." in text or "> Use timeout=None to wait." in text  # rendered, not markup
    assert "**`timeout" not in text
    assert "```python\nclient = httpx.Client(timeout=None)\n```" in text  # code as code, with its language
    assert "[docs/a.md, lines 10–12](https://github.com/o/r/blob/abc123/docs/a.md#L10-L12)" in text  # its permalink
    assert "[docs/a.md, line 3](https://docs.example/docs/a.md#L3)" in text  # no permalink: the base URL
    embed_within_limits(embed)


def test_a_fence_inside_code_cannot_close_the_block():
    block = fmt.code_block("a\n```\n@everyone", "py; rm")
    assert block.startswith("```\n") and block.count("```") == 2  # bad language dropped, inner fence broken



SPAN = Citation(
    quote="You can set timeouts for an individual request:\n\n```python\nhttpx.get(url, timeout=10.0)",
    source="docs/timeouts.md", line=8, char_start=100, char_end=186, score=0.9, kind="code", language="python",
    end_line=11,
    display="You can set timeouts for an individual request:\n\n```python\nhttpx.get(url, timeout=10.0)\n```",
    parts=(
        Part("paragraph", "You can set timeouts for an individual request:", 100, 148, 8, 8),
        Part("code", "httpx.get(url, timeout=10.0)", 160, 186, 11, 11, "python"),
    ),
)


def test_a_quote_over_several_units_shows_prose_quoted_and_code_in_its_language():
    shown = fmt.quote_display(SPAN, 1000)
    assert shown.startswith("> You can set timeouts for an individual request:")
    assert "```python\nhttpx.get(url, timeout=10.0)\n```" in shown
    assert shown.count("```") == 2  # the code fenced once, not the whole display again


@given(limit=st.integers(min_value=1, max_value=200))
@settings(max_examples=60, deadline=None)
def test_a_quote_over_several_units_never_exceeds_its_limit(limit):
    assert len(fmt.quote_display(SPAN, limit)) <= limit
