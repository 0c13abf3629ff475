"""Quotes longer than one unit: what the best unit needs around it to be the answer.

A unit is one sentence, list item, table row or code block; the answer is often more than that:

* a **lead-in** ending in ":" with the code block or the list it introduces ("You can set timeouts for
  an individual request:" + the code), and a code block with the lead-in that introduces it;
* a sentence with the **follow-up** that completes it ("Timeouts can be configured …" + "By default,
  …"): the next sentence opens as a continuation of this one *and* the question's evidence says so
  (it holds question terms this one lacks, or the ranker rates it nearly as high);
* a question that asks for a **default**, answered by the sentence that names the option: it through
  the sentence of the same block that names the default ("`separator`: Character which replaces white
  space in id." + "Defaults to "-"."; "… moved to disk at this limit." + "The default is 500kB.");
* two of the question's best candidates side by side (**neighbours**: a claim and its reason, a
  name and what it does): the stretch from the better one to the other;
* a question that asks for code, answered by prose: the prose through the code block just after it;
* a long code block **trimmed** to the contiguous lines that best match the question, with their lines;
* a question about the default of an identifier it names, answered by code: the code cut to the lines
  that set it (``cache_logger_on_first_use=False``; a value that opens a bracket through its close).

A span is consecutive units of one block or of adjacent blocks under the same heading and context
(never across a heading), bounded by ``MAX_CHARS`` characters of display text, and its quote is the
source slice ``text[start:end]`` from its first part's start to its last part's end: verbatim.

Pure functions over the records of ``index.storage.backend`` (``UnitRecord`` and the rows of
``document_blocks``), so they work on any backend; ``index.query.spans`` reads the records.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from index.models.documents import ADMONITION, CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE
from index.query.cues import identifier_words, sets_identifier, states_default
from index.storage.backend import UnitRecord

MAX_CHARS = 600  # display characters of one quote (a span), at most
MIN_CODE_CHARS = 120  # a lead-in's code cut shorter than this is not worth showing: the lead-in stays alone
WINDOW = 200  # units of one block looked at on either side of a unit, at most

# a question that asks for code (not "status code")
WANTS_CODE = re.compile(
    r"\b(?:snippets?|examples?|samples?|code (?:pls|please|sample|snippet|example)|example code|sample code|"
    r"show me|how (?:do|would|can|should) (?:i|you) (?:write|code))\b",
    re.IGNORECASE,
)

# how a sentence opens when it refers back to the one before it (it cannot be read alone)
BACK_REFERENCE = (
    r"for example|for instance|e\.g\.|this|these|that|those|it|its|they|such|otherwise|alternatively|"
    r"instead|or|in (?:that|this|which|either) case|if so|to do (?:that|this|so)|in other words|similarly|"
    r"likewise|also|in addition|additionally|here"
)
# … and how it opens when it goes on with it: the above, a default (of the option it describes: "Defaults
# to `-`.", "The default is 500kB."), what you can do about it
FOLLOW_UP = re.compile(
    rf"(?:{BACK_REFERENCE}|by default|defaults? (?:to|is)|the default (?:is|value is)|you can|you may|you'll|"
    r"you will|you need|then|so|note that)\b",
    re.IGNORECASE,
)
REFERS_BACK = re.compile(rf"(?:{BACK_REFERENCE})\b", re.IGNORECASE)
LEAD_IN_END = (":", "...", "…")  # how a sentence that introduces the code or list after it ends
PROSE_BLOCKS = (PARAGRAPH, ADMONITION, QUOTE)  # blocks whose sentences a span may join across a block edge
NEIGHBOUR_GAP = 2  # a neighbouring candidate at most this many units away (one unit between, at most)
DEFAULT_REACH = 3  # a default question: the sentence naming the default at most this many units after the anchor
_OPENING_MARKUP = " *_`([\"'“"


@dataclass(frozen=True, slots=True)
class Part:
    """One unit of a span (a code block possibly trimmed to some of its lines)."""

    unit: int
    kind: str
    language: str
    start: int  # its source span
    end: int
    line: int
    end_line: int
    display: str
    block: int  # its block's row in the document's blocks
    trimmed: bool = False  # a code block cut to ``line``..``end_line``
    first_of_block: bool = True  # the first unit of its block


@dataclass(frozen=True, slots=True)
class Span:
    """A quote: consecutive parts; ``text[start:end]`` is its verbatim quote."""

    parts: tuple[Part, ...]
    why: str = "unit"  # unit | lead_in | introduced | follow_up | follow_up+lead_in | neighbours | trimmed
    doc: int = -1

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end

    @property
    def line(self) -> int:
        return self.parts[0].line

    @property
    def end_line(self) -> int:
        return self.parts[-1].end_line

    @property
    def units(self) -> tuple[int, ...]:
        return tuple(p.unit for p in self.parts)

    @property
    def kind(self) -> str:
        """``code`` when it shows code (the answer is the code), else its first part's kind."""
        return CODE if any(p.kind == CODE for p in self.parts) else self.parts[0].kind

    @property
    def language(self) -> str:
        return next((p.language for p in self.parts if p.kind == CODE), self.parts[0].language)

    def display(self, text: str) -> str:
        """What people are shown: the parts' display texts; code fenced with its language when it
        is shown beside prose."""
        if len(self.parts) == 1:
            return self.parts[0].display
        out = shown(self.parts[0])
        for prev, p in zip(self.parts, self.parts[1:], strict=False):
            out += joiner(prev, p, text) + shown(p)
        return out

    def overlaps(self, other: Span) -> bool:
        """Both quote some of the same text of one document."""
        return self.doc == other.doc and self.start < other.end and other.start < self.end


def shown(p: Part) -> str:
    """A part as it reads inside a span: code fenced, a list item's first sentence after a bullet."""
    return fenced(p) if p.kind == CODE else bulleted(p)


def bulleted(p: Part) -> str:
    """Its display text, with a bullet before a list item's first sentence (a span's parts)."""
    return f"- {p.display}" if p.kind == LIST_ITEM and p.first_of_block else p.display


def fenced(p: Part) -> str:
    fence = "```"
    while fence in p.display:
        fence += "`"
    return f"{fence}{p.language}\n{p.display}\n{fence}"


def joiner(prev: Part, p: Part, text: str) -> str:
    """What separates two parts in a span's display text: the source's own space between two sentences
    of a block, a line break between list items, a blank line between blocks."""
    if prev.block == p.block:
        gap = text[prev.end : p.start]
        return gap if gap and not gap.strip() and prev.display == text[prev.start : prev.end] else " "
    if prev.kind == LIST_ITEM and p.kind == LIST_ITEM:
        return "\n"
    return "\n\n"


class Neighbourhood:
    """The units of one document around an anchor, read on demand, and that document's blocks.

    ``first .. last - 1``: the document's units; ``read(i)``: unit ``i``'s record; ``base``: the row of
    the document's first block in the index's blocks (``UnitRecord.block`` - ``base`` is a row of
    ``blocks``, the document's ``schema.BLOCK_DTYPE`` rows); ``kinds``: the block kind names."""

    def __init__(
        self,
        first: int,
        last: int,
        read: Callable[[int], UnitRecord],
        base: int,
        blocks: np.ndarray,
        kinds: Sequence[str],
        text: str,
        known: Mapping[int, UnitRecord] | None = None,
    ) -> None:
        self.first, self.last, self.base = first, last, base
        self.blocks, self.kinds, self.text = blocks, kinds, text
        self._read = read
        self._units: dict[int, UnitRecord] = dict(known or {})

    def has(self, i: int) -> bool:
        return self.first <= i < self.last

    def unit(self, i: int) -> UnitRecord:
        u = self._units.get(i)
        if u is None:
            u = self._units[i] = self._read(i)
        return u

    def block(self, i: int) -> int:
        return self.unit(i).block - self.base

    def block_kind(self, b: int) -> str:
        return self.kinds[int(self.blocks["kind"][b])]

    def same_section(self, a: int, b: int) -> bool:
        """Blocks ``a <= b`` share a heading section and context: no heading between them."""
        if int(self.blocks["context"][a]) != int(self.blocks["context"][b]):
            return False
        return not any(self.block_kind(k) == HEADING for k in range(a + 1, b))

    def part(self, i: int) -> Part:
        u = self.unit(i)
        first = not self.has(i - 1) or self.block(i - 1) != self.block(i)
        return Part(i, u.kind, u.language, u.start, u.end, u.line, u.end_line, u.display, self.block(i),
                    first_of_block=first)

    def block_units(self, b: int, around: int) -> list[int]:
        """The units of block ``b`` (searched from unit ``around`` outwards, at most ``WINDOW`` each way)."""
        before = []
        i = around
        while self.has(i) and around - i <= WINDOW and self.block(i) == b:
            before.append(i)
            i -= 1
        after = []
        i = around + 1
        while self.has(i) and i - around <= WINDOW and self.block(i) == b:
            after.append(i)
            i += 1
        return before[::-1] + after


@dataclass(frozen=True)
class Evidence:
    """What the question says of the units around the anchor.

    ``relevance``: the ranker's probability of every candidate unit (absent = not a candidate);
    ``terms``: a unit's display text → the question terms it holds, each with its IDF weight."""

    relevance: Mapping[int, float]
    terms: Callable[[str], Mapping[str, float]]
    question_mass: float = 0.0  # the question's whole IDF mass (of its terms)
    follow_ratio: float = 0.05  # a follow-up rated at least this share of the anchor's probability …
    follow_rank: int = 3  # … or among the question's best candidates …
    follow_share: float = 0.15  # … or holding this share of the question's IDF mass the anchor lacks
    wants_code: bool = False  # the question asks for code ("example code?", "snippet to …")
    asks_default: bool = False  # the question asks for a default ("by default?", "if I don't set one")
    identifiers: tuple[str, ...] = ()  # … and the code identifiers it names (``cues.code_identifiers``)

    ranks: Mapping[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        order = sorted(self.relevance, key=lambda u: -self.relevance[u])
        object.__setattr__(self, "ranks", {u: r for r, u in enumerate(order)})

    def rank(self, unit: int) -> int:
        """Its rank among the candidates (0 = best; a large number when it is none)."""
        return self.ranks.get(unit, 1 << 30)

    def line_score(self, line: str) -> float:
        """The question-term weight of a code line, the words inside its identifiers counted too
        (``class BooleanConverter(BaseConverter):`` holds "converter", ``url_map`` holds "url")."""
        return sum(self.terms(f"{line} {' '.join(sorted(identifier_words(line)))}").values())


def extend(n: Neighbourhood, anchor: int, evidence: Evidence, max_chars: int = MAX_CHARS,
           neighbours: bool = True) -> Span:
    """The span to quote for unit ``anchor``: the unit itself, or with its lead-in, what it introduces,
    its follow-up or (``neighbours``) the next-best candidates beside it; a long code block trimmed to
    its best lines. Never over ``max_chars`` of display text (but a single prose unit is kept whole)."""
    span = _extend(n, anchor, evidence, max_chars, neighbours)
    if not continuous(span, n.text):  # it would show less than it quotes: the unit alone
        a = n.part(anchor)
        span = code_span(n, a, evidence, max_chars) if a.kind == CODE else Span((a,))
        if not continuous(span, n.text):
            span = Span((a,))
    return replace(span, doc=n.unit(anchor).doc)


_MARKUP_GAP = " \t\r\n*_`"


def continuous(span: Span, text: str) -> bool:
    """No text of a block between two of the span's parts is left out of its display: consecutive units
    can be apart in the source when the build dropped a near-duplicate sentence between them, and the
    quote (from the first part's start to the last one's end) would hold a sentence nobody is shown."""
    return all(p.block != q.block or not text[p.end : q.start].strip(_MARKUP_GAP)
               for p, q in zip(span.parts, span.parts[1:], strict=False))


def _extend(n: Neighbourhood, anchor: int, evidence: Evidence, max_chars: int, neighbours: bool = True) -> Span:
    a = n.part(anchor)
    if a.kind == CODE:
        span = code_span(n, a, evidence, max_chars)
    elif is_lead_in(n, anchor) and (more := introduced(n, [a], evidence, max_chars)):
        span = Span((a, *more), "lead_in")
    else:
        span = forward(n, a, evidence, max_chars)
        if neighbours and span.why in ("unit", "follow_up"):
            joined = with_neighbours(n, Span((a,)), evidence, max_chars)
            if span.why == "unit" or _best_added(joined, anchor, evidence) > _best_added(span, anchor, evidence):
                span = joined
    return with_antecedent(n, span, max_chars)


def forward(n: Neighbourhood, a: Part, evidence: Evidence, max_chars: int) -> Span:
    """A prose unit with its follow-up when the evidence says it completes it (and, when that follow-up
    is a lead-in, what it introduces: "To do that, use:" + the code); for a question about a default,
    through the sentence after it that names one (``to_default``)."""
    if evidence.asks_default and (parts := to_default(n, a, max_chars)):
        return Span(tuple(parts), "default")
    follow = follow_up(n, a.unit, evidence)
    if follow is None:
        return to_code(n, a, evidence, max_chars) if evidence.wants_code else Span((a,))
    parts = [a, n.part(follow)]
    if size(parts, n.text) > max_chars:
        return Span((a,))
    if is_lead_in(n, follow):  # "To do that, use:" + the code it introduces, or not at all
        more = introduced(n, parts, evidence, max_chars)
        return Span((*parts, *more), "follow_up+lead_in") if more else Span((a,))
    return Span(tuple(parts), "follow_up")


def to_default(n: Neighbourhood, a: Part, max_chars: int) -> list[Part] | None:
    """A prose unit that names no default, through the first unit of its block at most ``DEFAULT_REACH``
    after it that does (an option's description ends with its default); None when there is none."""
    if a.kind == CODE or states_default(a.display):
        return None
    for j in range(a.unit + 1, a.unit + DEFAULT_REACH + 1):
        if not n.has(j) or n.block(j) != a.block or n.unit(j).kind == CODE:
            return None
        if states_default(n.unit(j).display):
            parts = [n.part(i) for i in range(a.unit, j + 1)]
            return parts if size(parts, n.text) <= max_chars else None
    return None


def with_neighbours(n: Neighbourhood, span: Span, evidence: Evidence, max_chars: int) -> Span:
    """A prose unit with the candidates right beside it that the question rates next: when one of the
    question's best ``follow_rank`` candidates, rated below this one but at least ``follow_ratio`` of it,
    is at most ``NEIGHBOUR_GAP`` units away (in the same block, or in the adjacent paragraph under the
    same heading), the quote is the stretch from one to the other ("Unlike `requests`, HTTPX does not
    follow redirects by default." + "We differ in behaviour here because …"; "CacheControl is an
    extension …" + "This makes your web requests …"). Only candidates rated *below* the anchor join it,
    so a better-rated neighbour keeps its own quote and this one stays out of it (``pick``: no overlap)."""
    a = span.parts[0]
    rel_a = evidence.relevance.get(a.unit, 0.0)
    if len(span.parts) != 1 or a.kind == CODE or rel_a <= 0 or not prose_block(n, a.block):
        return span
    best: tuple[float, list[Part]] | None = None
    for d in range(-NEIGHBOUR_GAP, NEIGHBOUR_GAP + 1):
        j = a.unit + d
        if d == 0 or not n.has(j):
            continue
        rel = evidence.relevance.get(j, 0.0)
        if rel >= rel_a or rel < evidence.follow_ratio * rel_a or evidence.rank(j) >= evidence.follow_rank:
            continue
        parts = [n.part(i) for i in range(min(a.unit, j), max(a.unit, j) + 1)]
        if not joinable(n, parts) or is_lead_in(n, parts[-1].unit) or size(parts, n.text) > max_chars:
            continue
        if best is None or rel > best[0]:
            best = (rel, parts)
    return Span(tuple(best[1]), "neighbours") if best is not None else span


def _best_added(span: Span, anchor: int, evidence: Evidence) -> float:
    """The best relevance among the units a span adds to its anchor (0: it adds none)."""
    return max((evidence.relevance.get(u, 0.0) for u in span.units if u != anchor), default=0.0)


def prose_block(n: Neighbourhood, b: int) -> bool:
    return n.block_kind(b) in (*PROSE_BLOCKS, LIST_ITEM)


def joinable(n: Neighbourhood, parts: Sequence[Part]) -> bool:
    """Consecutive prose parts that read as one stretch: sentences of one block, or of paragraphs (or
    admonitions, block quotes) one right after the other under the same heading; no code, no lead-in
    before the end (what it introduces would be cut off), a list item only with its own sentences."""
    for p, q in zip(parts, parts[1:], strict=False):
        if q.kind == CODE or p.kind == CODE or p.display.rstrip().endswith(LEAD_IN_END):
            return False
        if p.block == q.block:
            continue
        if not (q.block == p.block + 1 and n.block_kind(p.block) in PROSE_BLOCKS
                and n.block_kind(q.block) in PROSE_BLOCKS and n.same_section(p.block, q.block)):
            return False
    return parts[0].kind != CODE


def to_code(n: Neighbourhood, a: Part, evidence: Evidence, max_chars: int) -> Span:
    """A question that asks for code, answered by a paragraph that introduces what follows (it ends in
    ":", "..." or "…"): the paragraph through the code block after it (only its own sentences and the
    list it introduces between, same section), when it all fits and the code holds question terms the
    paragraph lacks."""
    if n.block_kind(a.block) != PARAGRAPH:
        return Span((a,))
    parts = [a]
    i = a.unit + 1
    while n.has(i) and n.same_section(a.block, n.block(i)):
        p = n.part(i)
        if p.block != a.block and (p.kind not in (LIST_ITEM, CODE) or not _introduces(parts)):
            break  # only what the paragraph itself introduces: it ends in ":", "..." or "…"
        parts.append(p)
        if size(parts, n.text) > max_chars:
            break
        if p.kind == CODE:
            own = evidence.terms(a.display)
            gained = sum(w for t, w in evidence.terms(p.display).items() if t not in own)
            if gained >= evidence.follow_share * (evidence.question_mass or 1.0):
                return Span(tuple(parts), "to_code")
            break
        i += 1
    return Span((a,))


def _introduces(parts: list[Part]) -> bool:
    """The paragraph among ``parts`` ends as a lead-in (its last sentence ends in ":", "..." or "…")."""
    prose = [p for p in parts if p.kind == PARAGRAPH]
    return bool(prose) and prose[-1].display.rstrip().endswith(LEAD_IN_END)


def with_antecedent(n: Neighbourhood, span: Span, max_chars: int) -> Span:
    """The span with the sentence before it when its first sentence refers back to it ("For example:",
    "This …", "To do that, …"), in the same block or the paragraph before, when it fits."""
    first = span.parts[0]
    if first.kind == CODE or not REFERS_BACK.match(first.display.lstrip(_OPENING_MARKUP)):
        return span
    prev = first.unit - 1
    if not n.has(prev):
        return span
    p, bp = n.unit(prev), n.block(prev)
    if p.kind == CODE or p.display.rstrip().endswith(LEAD_IN_END):
        return span
    if bp != first.block and not (
        bp == first.block - 1 and n.block_kind(bp) == PARAGRAPH and n.block_kind(first.block) == PARAGRAPH
        and n.same_section(bp, first.block)
    ):
        return span
    parts = (n.part(prev), *span.parts)
    if size(parts, n.text) > max_chars:
        return span
    return Span(parts, f"antecedent+{span.why}")


def size(parts: Sequence[Part], text: str) -> int:
    """Display characters of these parts as one span."""
    return len(Span(tuple(parts)).display(text))


def is_lead_in(n: Neighbourhood, i: int) -> bool:
    """Unit ``i`` ends a lead-in: the last sentence of a prose block that introduces the next block
    (the loader's ``lead_in``: it ends in ":"; or it ends in ":", "..." or "…" and a code block or a
    list follows), under the same heading."""
    b = n.block(i)
    if not (n.has(i + 1) and n.block(i + 1) == b + 1 and n.same_section(b, b + 1)):
        return False
    shown = n.unit(i).display.rstrip()
    if int(n.blocks["next"][b]) >= 0 and shown.endswith(":"):
        return True
    return shown.endswith(LEAD_IN_END) and n.block_kind(b + 1) in (CODE, LIST_ITEM)


def introduced(n: Neighbourhood, before: list[Part], evidence: Evidence, max_chars: int) -> list[Part]:
    """What the lead-in ending ``before`` introduces, so that the whole stays within ``max_chars``: the
    code block (trimmed only if its first lines are the best ones, so the span stays one stretch of
    text), the list items that follow (whole items, as many as fit, at least one) or the paragraph.
    [] = nothing fits."""
    first = before[-1].unit + 1
    b = n.block(first)
    kind = n.block_kind(b)
    if kind == CODE:
        p = n.part(first)
        if size([*before, p], n.text) <= max_chars:
            return [p]
        budget = max_chars - size([*before, replace(p, display="")], n.text)
        trimmed = trim_code(n, p, evidence, budget)
        if trimmed is not None and trimmed.start != p.start:  # its best lines are further down: its top
            trimmed = trim_code(n, p, evidence, budget, from_top=True)
        return [trimmed] if trimmed is not None and trimmed.end - trimmed.start >= MIN_CODE_CHARS else []
    if kind == LIST_ITEM:
        return list_items(n, before, first, max_chars)
    if kind == PARAGRAPH:
        parts = [n.part(i) for i in n.block_units(b, first)]
        return parts if parts and size([*before, *parts], n.text) <= max_chars else []
    return []


def list_items(n: Neighbourhood, before: list[Part], first: int, max_chars: int) -> list[Part]:
    """Whole list items from unit ``first`` on (nested items with their parent), while they fit."""
    parts: list[Part] = []
    start_block = n.block(first)
    top = int(n.blocks["level"][start_block])
    i = first
    while n.has(i):
        b = n.block(i)
        if n.block_kind(b) != LIST_ITEM or int(n.blocks["level"][b]) < top or not n.same_section(start_block, b):
            break
        item = [n.part(k) for k in n.block_units(b, i)]
        if size([*before, *parts, *item], n.text) > max_chars:
            break
        parts += item
        i = item[-1].unit + 1
    return parts


def follow_up(n: Neighbourhood, anchor: int, evidence: Evidence) -> int | None:
    """The next unit when it completes the anchor: a prose unit of the same block (or the first of the
    next paragraph, under the same heading) that opens as a continuation, and that the question's
    evidence points to: the ranker rates it near the anchor or among the question's best candidates,
    or it holds question terms the anchor lacks. A next paragraph that is the lead-in of a code block
    needs no continuation opening, only that evidence (of it or of its code)."""
    nxt = anchor + 1
    if not n.has(nxt):
        return None
    a, f = n.unit(anchor), n.unit(nxt)
    ba, bf = n.block(anchor), n.block(nxt)
    if f.kind == CODE or a.display.rstrip().endswith(LEAD_IN_END):
        return None
    if bf != ba and not (
        bf == ba + 1 and n.block_kind(ba) == PARAGRAPH and n.block_kind(bf) == PARAGRAPH and n.same_section(ba, bf)
    ):
        return None
    own = evidence.terms(a.display)
    mass = evidence.question_mass or 1.0
    if is_lead_in(n, nxt) and n.block_kind(n.block(nxt + 1)) == CODE:
        # the next paragraph introduces code ("The simple recipe for this is the following:"): taken
        # when the code holds question terms the anchor lacks, or the ranker puts it among the best
        if evidence.rank(nxt) < evidence.follow_rank or evidence.rank(nxt + 1) < evidence.follow_rank:
            return nxt
        more = {**evidence.terms(f.display), **evidence.terms(n.unit(nxt + 1).display)}
        if sum(w for t, w in more.items() if t not in own) >= evidence.follow_share * mass:
            return nxt
    if not FOLLOW_UP.match(f.display.lstrip(_OPENING_MARKUP)):
        return None
    rel_a, rel_f = evidence.relevance.get(anchor, 0.0), evidence.relevance.get(nxt, 0.0)
    if rel_a > 0 and (rel_f >= evidence.follow_ratio * rel_a or evidence.rank(nxt) < evidence.follow_rank):
        return nxt
    more = evidence.terms(f.display)
    if sum(w for t, w in more.items() if t not in own) >= evidence.follow_share * mass:
        return nxt
    return None


def code_span(n: Neighbourhood, code: Part, evidence: Evidence, max_chars: int) -> Span:
    """A code unit: with the lead-in that introduces it when both fit, else trimmed to its best lines;
    for a question about the default of identifiers it names, cut to the lines that set them."""
    if evidence.asks_default and evidence.identifiers:
        setting = setting_lines(n, code, evidence.identifiers, max_chars)
        if setting is not None:
            return Span((setting,), "trimmed")
    lead = code.unit - 1
    if n.has(lead) and is_lead_in(n, lead):
        both = [n.part(lead), code]
        if size(both, n.text) <= max_chars:
            return Span(tuple(both), "introduced")
    if len(code.display) <= max_chars:
        return Span((code,))
    trimmed = trim_code(n, code, evidence, max_chars)
    return Span((trimmed,), "trimmed") if trimmed is not None else Span((code,))


_OPENS, _CLOSES = "([{", ")]}"


def setting_lines(n: Neighbourhood, code: Part, identifiers: Sequence[str], max_chars: int) -> Part | None:
    """The lines of a code unit from the first that sets one of ``identifiers`` to the last (a value
    that opens a bracket: through the line that closes it), as a part with its own source span and
    lines; None when no line sets one, the lines would be the whole unit, or they exceed ``max_chars``."""
    shown = code.display.split("\n")
    hits = [k for k, line in enumerate(shown) if sets_identifier(line, identifiers)]
    if not hits or len(shown) < 2:
        return None
    lo, hi = hits[0], hits[-1] + 1
    depth = sum(shown[hi - 1].count(c) for c in _OPENS) - sum(shown[hi - 1].count(c) for c in _CLOSES)
    while depth > 0 and hi < len(shown):
        depth += sum(shown[hi].count(c) for c in _OPENS) - sum(shown[hi].count(c) for c in _CLOSES)
        hi += 1
    if (lo, hi) == (0, len(shown)) or len("\n".join(shown[lo:hi])) > max_chars:
        return None
    part = lines_part(n, code, lo, hi)
    if part is None:
        return None
    indent = len(n.text[part.start : part.end]) - len(n.text[part.start : part.end].lstrip(" \t"))
    # quoted from the setting itself, not the indentation of the call it sits in
    return replace(part, start=part.start + indent, display=textwrap.dedent(part.display))


def trim_code(n: Neighbourhood, code: Part, evidence: Evidence, max_chars: int, from_top: bool = False) -> Part | None:
    """The contiguous lines of a code unit that best match the question within ``max_chars``
    (the most question-term weight; ties: the earliest; ``from_top``: its first lines), as a part with
    its own source span and lines.
    Its display lines map one to one onto source lines (a code block's display drops only the prefix
    of each line: indentation, a container's markers), so the span is the source of those lines."""
    shown = code.display.split("\n")
    source = n.text[code.start : code.end].split("\n")
    if len(shown) != len(source) or len(shown) < 2:
        return None
    scores = [evidence.line_score(s) for s in shown]
    best: tuple[float, int, int] | None = None
    for lo in range(1 if from_top else len(shown)):
        if not shown[lo].strip():
            continue
        chars, hi, total = -1, lo, 0.0
        while hi < len(shown) and chars + len(shown[hi]) + 1 <= max_chars:
            chars += len(shown[hi]) + 1
            total += scores[hi]
            hi += 1
        while hi > lo + 1 and not shown[hi - 1].strip():
            hi -= 1
        if hi == lo:
            continue
        if best is None or total > best[0] + 1e-9:
            best = (total, lo, hi)
    if best is None:
        return None
    _, lo, hi = best
    return lines_part(n, code, lo, hi)


def lines_part(n: Neighbourhood, code: Part, lo: int, hi: int) -> Part | None:
    """Display lines ``lo .. hi - 1`` of a code unit as a part with their own source span and lines
    (None when its display lines do not map one to one onto its source lines)."""
    shown = code.display.split("\n")
    source = n.text[code.start : code.end].split("\n")
    if len(shown) != len(source):
        return None
    offsets = [code.start]
    for s in source[:-1]:
        offsets.append(offsets[-1] + len(s) + 1)
    first_src, first_shown = source[lo], shown[lo]
    start = offsets[lo] + (len(first_src) - len(first_shown) if first_src.endswith(first_shown) else 0)
    end = offsets[hi - 1] + len(source[hi - 1])
    if lo == 0:
        start = code.start
    if hi == len(shown):
        end = code.end
    display = "\n".join(shown[lo:hi])
    return Part(code.unit, code.kind, code.language, start, end, code.line + lo, code.line + hi - 1, display,
                code.block, trimmed=True)
