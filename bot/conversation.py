"""Follow-ups: which messages continue a conversation, and what is asked with them. Pure, no I/O.

A follow-up that is short ("and for async?") or refers back ("what about the default?", "does it
retry?") is retrieved with the previous question as context; a full question of its own is asked as
it is. Either way the quotes already shown in the conversation are not shown again. Chatter
("thanks!", "ok") is no question at all.
"""

from __future__ import annotations

import re

SHORT_WORDS = 5  # a follow-up of at most this many words is read with the previous question
REFERRING_START = re.compile(
    r"^(and|also|but|or|so|then|what about|how about|what if|same for|and if|and for|and what|and how|"
    r"why not|is that|does that|can it|does it|is it|what does that)\b",
    re.IGNORECASE,
)
REFERRING_WORDS = {"it", "its", "it's", "that", "this", "those", "these", "they", "them", "their", "same",
                   "above", "previous", "instead", "else"}
CHATTER = re.compile(
    r"^(thanks?( you)?|thx|ty|tysm|ok(ay)?|cool|nice|great|perfect|got it|awesome|cheers|lol|yes|no|yep|nope)"
    r"[\s!.,:;)🙂👍🙏❤️]*(citebot)?[\s!.]*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’]+")


def mentions_me(content: str, bot_id: int) -> bool:
    """An explicit ``<@bot>`` in the text (not just a reply that pings the bot)."""
    return re.search(rf"<@!?{bot_id}>", content) is not None


def strip_mention(content: str, bot_id: int) -> str:
    """The question left once the bot's own mentions are removed."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


def is_chatter(text: str) -> bool:
    """"thanks!", "ok", "got it" — acknowledged, not asked."""
    return bool(CHATTER.match(text.strip())) or not _WORD.search(text)


def is_follow_up(text: str) -> bool:
    """Short, or refers to what was said before."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) <= SHORT_WORDS:
        return True
    return bool(REFERRING_START.match(text.strip())) or any(w in REFERRING_WORDS for w in words[:8])


def context_for(text: str, previous_question: str | None) -> str | None:
    """The previous question when ``text`` needs it to be understood, else None."""
    if not previous_question or not is_follow_up(text):
        return None
    return previous_question


def thread_name(question: str, limit: int = 100) -> str:
    """A thread title from a question: one line, at most ``limit`` characters (Discord's cap)."""
    name = " ".join(question.split()) or "Question"
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0] if " " in name[: limit - 1] else name[: limit - 1]
    return cut.rstrip(" ,;:") + "…"
