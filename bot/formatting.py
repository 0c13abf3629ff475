"""Pure formatting: Answer → discord.Embed, escaping, and cutting to Discord's limits.

Nothing here does I/O; every function is tested on its own.

* Quotes are shown verbatim but *inert*: markdown is escaped, mentions
  (``@everyone``, ``<@123>``) and links (``[x](http://…)``, bare URLs) are broken
  with a zero-width space so they can neither format, ping nor link.
* Text that does not fit is cut at a sentence boundary (else a word boundary)
  and ends with an ellipsis "…".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import quote as urlquote

import discord

from index.query.answer import Answer, Citation, Passage
from index.query.engine import IndexInfo

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELD_COUNT_LIMIT = 25
TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000

ELLIPSIS = "…"
ZWSP = "\u200b"
MAX_PASSAGE_FIELDS = 10

COLOR_ANSWER = 0x2F9E44
COLOR_ABSTAIN = 0xE8590C
COLOR_INFO = 0x1C7ED6

_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*):(?=//)")
_ANGLE_TOKEN = re.compile(r"<(?=[@#:/&!]|a:|t:)")
_NUMBERED_LIST = re.compile(r"(?m)^(\s*\d+)\.(?=\s)")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n")
_WORD_GAP = re.compile(r"\s+")


# --------------------------------------------------------------------------- escaping


def escape(text: str) -> str:
    """Make ``text`` inert in Discord markdown: no formatting, no mention, no link."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("@", "@" + ZWSP)  # @everyone, @here, <@123>, <@&role>
    text = _ANGLE_TOKEN.sub("<" + ZWSP, text)  # <#channel>, <:emoji:1>, </cmd:1>, <t:0>
    text = _SCHEME.sub(lambda m: m.group(1) + ":" + ZWSP, text)  # http://x → no autolink
    text = discord.utils.escape_markdown(text, ignore_links=False)
    return _NUMBERED_LIST.sub(r"\1\\.", text)


def blockquote(text: str) -> str:
    return "\n".join("> " + line for line in text.split("\n"))


def quote_block(text: str) -> str:
    """An escaped block quote of ``text``."""
    return blockquote(escape(text))


# --------------------------------------------------------------------------- cutting


def _identity(text: str) -> str:
    return text


def _largest(candidates: Sequence[int], fits: Callable[[int], bool]) -> int | None:
    """The largest candidate (ascending list) for which ``fits`` holds (binary search, then verify)."""
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(candidates[mid]):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best is None:
        return None
    for i in range(best, -1, -1):  # escaping is only roughly monotonic: make sure
        if fits(candidates[i]):
            return candidates[i]
    return None


def shorten(text: str, limit: int, transform: Callable[[str], str] = _identity) -> str:
    """``transform(text)`` if it fits in ``limit`` characters, else a cut prefix + " …".

    The cut lands after a sentence when that keeps at least a third of what a cut
    between words would keep; else between words; else anywhere.
    """
    whole = transform(text)
    if len(whole) <= limit:
        return whole
    suffix = " " + ELLIPSIS
    room = limit - len(suffix)
    if room <= 0:
        return ELLIPSIS[: max(limit, 0)]

    def fits(cut: int) -> bool:
        return len(transform(text[:cut].rstrip())) <= room

    sentence_cuts = sorted({m.end() for m in _SENTENCE_END.finditer(text)} | {m.start() for m in _PARAGRAPH.finditer(text)})
    word_cuts = [m.start() for m in _WORD_GAP.finditer(text)]
    sentence = _largest([c for c in sentence_cuts if c > 0], fits)
    word = _largest([c for c in word_cuts if c > 0], fits)
    if sentence is not None and (word is None or sentence * 3 >= word):
        cut = sentence
    elif word is not None:
        cut = word
    else:
        cut = _largest(range(1, len(text)), fits)
        if cut is None:
            return ELLIPSIS
    return transform(text[:cut].rstrip()) + suffix


def clip_content(text: str, limit: int = CONTENT_LIMIT) -> str:
    """Message content cut to Discord's 2,000 characters."""
    return shorten(text, limit)


# --------------------------------------------------------------------------- sources and links


def source_url(base_url: str, source: str, line: int) -> str:
    """``base + source + "#L" + line`` (the source path URL-quoted, a "/" added after the base if missing)."""
    if not base_url.endswith(("/", "=", "#", "?")):
        base_url += "/"
    return f"{base_url}{urlquote(source, safe='/')}#L{line}"


def source_ref(
    source: str,
    line: int,
    *,
    page: int | None = None,
    base_url: str | None = None,
    url: str | None = None,
    end_line: int | None = None,
) -> str:
    """"**a.txt**, line 3" or, with a link (the citation's own permalink ``url``, else the docs base URL),
    "[a.txt, line 3](base/a.txt#L3)"; "lines 3–5" for a quote over several lines."""
    name = shorten(source, 200, escape)
    where = (f"lines {line}–{end_line}" if end_line and end_line > line else f"line {line}") + (
        f", page {page}" if page else ""
    )
    link = url or (source_url(base_url, source, line) if base_url else None)
    if link:
        label = name.replace("[", "\\[").replace("]", "\\]")
        return f"[{label}, {where}]({link})"
    return f"**{name}**, {where}"


def citation_ref(c: Citation, base_url: str | None = None, *, links: bool = True) -> str:
    """The reference under a quote: file, line(s), page, linked when it can be."""
    return source_ref(
        c.source, c.line, page=c.page, base_url=base_url if links else None,
        url=getattr(c, "url", None) if links else None, end_line=getattr(c, "end_line", None),
    )


def shown_text(c: Citation) -> str:
    """What people are shown of a quote: its display text (markup rendered) when the index has one."""
    return (getattr(c, "display", "") or c.quote).strip()


def code_block(text: str, language: str = "") -> str:
    """``text`` as a fenced code block (a fence inside it is broken so it cannot close the block)."""
    body = text.replace("```", "`\u200b``")
    lang = language if re.fullmatch(r"[\w+#.-]{1,20}", language or "") else ""
    return f"```{lang}\n{body}\n```"


def quote_display(c: Citation, limit: int) -> str:
    """A quote as shown under an answer: a code block with its language for code, else an escaped block
    quote; cut to ``limit`` characters."""
    if len(getattr(c, "parts", ()) or ()) > 1:
        return parts_display(c.parts, limit)
    if getattr(c, "kind", "") == "code":
        language = getattr(c, "language", "") or ""
        return shorten(shown_text(c), limit, lambda t: code_block(t, language))
    return shorten(shown_text(c), limit, quote_block)


def parts_display(parts: Sequence[object], limit: int) -> str:
    """A quote over several units (a lead-in and its code, a sentence and its follow-up): prose as one
    escaped block quote, code as a code block in its language, in order, cut to ``limit`` characters
    (later parts give way first)."""
    pieces: list[tuple[str, str, str]] = []  # (kind, text, language)
    prev = None
    for p in parts:
        kind, text = getattr(p, "kind", ""), getattr(p, "display", "")
        if kind != "code" and pieces and pieces[-1][0] != "code" and prev is not None:
            same = getattr(prev, "kind", "") == kind and not text.startswith("- ") and (
                kind == "list_item" or getattr(p, "line", 0) <= getattr(prev, "end_line", 0) + 1
            )
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + (" " if same else "\n") + text, "")
        else:
            pieces.append((kind, text, getattr(p, "language", "") or ""))
        prev = p
    out: list[str] = []
    used = 0
    for kind, text, language in pieces:
        room = limit - used - (1 if out else 0)
        if room < 24:
            break
        shown = shorten(text.strip(), room, (lambda t, lang=language: code_block(t, lang)) if kind == "code" else quote_block)
        out.append(shown)
        used += len(shown) + (1 if len(out) > 1 else 0)
    return "\n".join(out) if out else shorten(" ".join(t for _, t, _ in pieces), limit, quote_block)


def _title(question: str) -> str:
    return shorten(" ".join(question.split()) or "Question", TITLE_LIMIT, escape)


# --------------------------------------------------------------------------- embeds


def _footer(answer_id: str | None, text: str) -> str:
    return text + (f" · answer {answer_id[:8]}" if answer_id else "")


MIN_QUOTE = 60  # a quote is never cut shorter than this to make room for links


def _citation_blocks(citations: Sequence[Citation], base_url: str | None, budget: int) -> str:
    """Quotes with their references, within ``budget`` characters.

    Links are the first thing to go: a long or non-ASCII path makes a long URL (each CJK character
    is nine characters once percent-encoded), so while the references would leave the quotes less
    than ``MIN_QUOTE`` each, the longest linked reference falls back to its plain form.
    """
    if not citations:
        return ""
    plain = ["— " + citation_ref(c, links=False) for c in citations]
    refs = ["— " + citation_ref(c, base_url) for c in citations]
    separators = 2 * (len(citations) - 1)

    def room() -> int:
        return budget - separators - sum(len(r) + 1 for r in refs)

    while room() < MIN_QUOTE * len(citations):
        longer = [i for i in range(len(refs)) if len(refs[i]) > len(plain[i])]
        if not longer:
            break
        i = max(longer, key=lambda j: len(refs[j]))
        refs[i] = plain[i]
    remaining = room()
    blocks = []
    for i, (citation, ref) in enumerate(zip(citations, refs, strict=True)):
        share = max(remaining // (len(citations) - i), 1)
        quote = quote_display(citation, share)
        remaining -= len(quote)
        blocks.append(f"{quote}\n{ref}")
    text = "\n\n".join(blocks)
    return text if len(text) <= budget else shorten(text, budget)


def _passage_fields(
    embed: discord.Embed, passages: Sequence[Passage], base_url: str | None, *, scores: bool
) -> None:
    """Add one field per passage, sharing what is left of the 6,000 total fairly."""
    passages = list(passages)[:MAX_PASSAGE_FIELDS]
    if not passages:
        return
    names = []
    links = []
    for i, p in enumerate(passages, 1):
        name = f"{p.source}, line {p.line}" + (f", page {p.page}" if p.page else "")
        if scores:
            name += f" (score {p.score:.2f})"
        names.append(f"{i}. " + shorten(name, FIELD_NAME_LIMIT - 4, escape))
        links.append(f"\n[open]({source_url(base_url, p.source, p.line)})" if base_url else "")
    room = TOTAL_LIMIT - len(embed) - sum(len(n) for n in names) - 16
    for i, (p, name, link) in enumerate(zip(passages, names, links, strict=True)):
        share = min(FIELD_VALUE_LIMIT, room // (len(passages) - i))
        if len(link) > share // 2:
            link = ""
        text = p.text.strip() or "(empty passage)"
        value = shorten(text, max(share - len(link), 8), quote_block) + link
        room -= len(value)
        embed.add_field(name=name, value=value, inline=False)


def answer_embed(answer: Answer, *, answer_id: str | None = None, docs_base_url: str | None = None) -> discord.Embed:
    """The embed for an answer: quotes as block quotes with source and line, or an abstention."""
    title = _title(answer.question)
    if answer.abstained or not answer.citations:
        embed = discord.Embed(
            title=title,
            color=COLOR_ABSTAIN,
            description="**The documents do not answer this question.**\n"
            + (
                "These are the nearest passages; none of them was close enough to quote as an answer."
                if answer.passages
                else "Nothing in them came close."
            ),
        )
        embed.set_footer(text=_footer(answer_id, "No answer found"))
        _passage_fields(embed, answer.passages[:5], docs_base_url, scores=False)
    else:
        embed = discord.Embed(title=title, color=COLOR_ANSWER)
        embed.description = _citation_blocks(answer.citations, docs_base_url, DESCRIPTION_LIMIT)
        n = len(answer.citations)
        embed.set_footer(text=_footer(answer_id, f"{n} verbatim quote{'s' if n != 1 else ''} from the documents"))
    return fit_embed(embed)


def sources_embed(answer: Answer, *, docs_base_url: str | None = None) -> discord.Embed:
    """The passages behind an answer (the "Sources" button)."""
    embed = discord.Embed(
        title=shorten("Sources: " + " ".join(answer.question.split()), TITLE_LIMIT, escape),
        color=COLOR_INFO,
        description="The passages retrieved for this question, best first."
        if answer.passages
        else "No passages were retrieved for this question.",
    )
    _passage_fields(embed, answer.passages, docs_base_url, scores=True)
    return fit_embed(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Last line of defence: every part within its own limit, then fields and the description trimmed
    until the whole embed is within the 6,000 total."""
    if embed.title and len(embed.title) > TITLE_LIMIT:
        embed.title = shorten(embed.title, TITLE_LIMIT)
    if embed.description and len(embed.description) > DESCRIPTION_LIMIT:
        embed.description = shorten(embed.description, DESCRIPTION_LIMIT)
    if embed.footer.text and len(embed.footer.text) > FOOTER_LIMIT:
        embed.set_footer(text=shorten(embed.footer.text, FOOTER_LIMIT))
    while len(embed.fields) > FIELD_COUNT_LIMIT:
        embed.remove_field(-1)
    for i, f in enumerate(embed.fields):
        if len(f.name or "") > FIELD_NAME_LIMIT or len(f.value or "") > FIELD_VALUE_LIMIT:
            embed.set_field_at(
                i, name=shorten(f.name or "-", FIELD_NAME_LIMIT), value=shorten(f.value or "-", FIELD_VALUE_LIMIT),
                inline=f.inline,
            )
    while len(embed) > TOTAL_LIMIT and embed.fields:
        embed.remove_field(-1)
    if len(embed) > TOTAL_LIMIT and embed.description:
        over = len(embed) - TOTAL_LIMIT
        embed.description = shorten(embed.description, max(len(embed.description) - over, 1))
    return embed


# --------------------------------------------------------------------------- status and reports


def format_duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s"


def format_timestamp(iso: str) -> str:
    """An ISO 8601 time as a Discord timestamp (shown in each reader's time zone)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return escape(str(iso)) or "unknown"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    unix = int(when.timestamp())
    return f"<t:{unix}:f> (<t:{unix}:R>)"


def status_embed(
    info: IndexInfo | None,
    *,
    uptime_seconds: float,
    reindexing: bool = False,
    problem: str | None = None,
    corpus: str | None = None,
) -> discord.Embed:
    """The caller's corpus: its name (when there are several), size, the commit its documents were read
    at and when, the model, and the bot's uptime."""
    embed = discord.Embed(title="citebot status", color=COLOR_INFO)
    if corpus is not None:
        embed.add_field(name="Corpus", value=shorten(corpus, FIELD_VALUE_LIMIT, escape))
    if info is None:
        embed.description = shorten(problem or "No index is loaded.", DESCRIPTION_LIMIT)
    else:
        embed.add_field(name="Documents", value=f"{info.documents:,}")
        embed.add_field(name="Chunks", value=f"{info.chunks:,}")
        embed.add_field(name="Built at", value=format_timestamp(info.built_at))
        commit = getattr(info, "commit", "") or ""
        indexed_at = getattr(info, "indexed_at", "") or ""
        if commit:
            when = f" (read {format_timestamp(indexed_at)})" if indexed_at else ""
            embed.add_field(name="Indexed commit", value=f"`{escape(commit[:12])}`{when}")
        elif indexed_at:
            embed.add_field(name="Indexed at", value=format_timestamp(indexed_at) + " (not a git work tree)")
        model = f"{info.model or 'default'} ({info.backend})"
        embed.add_field(name="Model", value=shorten(model, FIELD_VALUE_LIMIT, escape))
    embed.add_field(name="Uptime", value=format_duration(uptime_seconds))
    if reindexing:
        embed.add_field(name="Reindex", value="running; the current index keeps answering")
    return fit_embed(embed)


def reindex_report(documents: int, chunks: int, seconds: float, skipped: int = 0, *, corpus: str | None = None) -> str:
    of = f" corpus `{corpus}`:" if corpus else ""
    text = f"Reindexed{of} {documents:,} document{'s' if documents != 1 else ''} ({chunks:,} chunks) in {format_duration(seconds)}."
    if skipped:
        text += f" {skipped} file{'s were' if skipped != 1 else ' was'} skipped (see the log)."
    return clip_content(text + " New questions use the new index.")
