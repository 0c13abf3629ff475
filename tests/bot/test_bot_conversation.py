"""bot.conversation, bot.threads and bot.excerpts on their own: follow-ups, thread records, excerpts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation import context_for, is_chatter, is_follow_up, strip_mention, thread_name
from bot.excerpts import marked
from bot.threads import ThreadStore
from index.query.answer import Citation
from index.query.context import lines_around


def test_follow_ups_and_chatter():
    assert is_follow_up("and for async?") and is_follow_up("what about the default?")
    assert is_follow_up("does it retry when the connection drops halfway through?")  # refers back
    assert not is_follow_up("how do I configure a proxy for all requests in a client?")
    assert context_for("and for async?", "how do I set a timeout?") == "how do I set a timeout?"
    assert context_for("how do I configure a proxy for all requests in a client?", "timeouts?") is None
    assert all(is_chatter(t) for t in ["thanks!", "Thank you", "ok", "👍", "got it, thanks"[:6]])
    assert not is_chatter("thanks, but what about proxies?")
    assert strip_mention("<@1> hi <@!1> there", 1) == "hi there"


def test_thread_names_fit_discord():
    assert thread_name("  how do I\nset a timeout?  ") == "how do I set a timeout?"
    long = thread_name("word " * 60)
    assert len(long) <= 100 and long.endswith("…") and not long.endswith(" …")
    assert len(thread_name("x" * 300)) <= 100 and thread_name("") == "Question"


def test_threads_are_kept_purged_and_forgotten(new_store):
    store = new_store()
    threads = ThreadStore(store)
    store.init()
    assert threads.open_thread(10, "forum", owner=5) and not threads.open_thread(10, "forum", owner=5)  # once
    threads.add_turn(10, "a" * 32, "how?", "how?", [("a.md", 0, 5)], asker=5)
    threads.add_turn(10, "b" * 32, "and then?", "how? and then?", [("a.md", 9, 12)], asker=6)
    conv = threads.conversation(10)
    assert conv.last_query == "how? and then?" and conv.shown == {("a.md", 0, 5), ("a.md", 9, 12)}
    gone = store.forget(5)
    assert gone.rows == {"threads": 1, "turns": 1}
    assert threads.get(10) is None and threads.conversation(10).turns == 1
    threads.drop(10)
    assert threads.conversation(10).turns == 0


TEXT = "\n".join(f"line {i} of the page, with some words in it." for i in range(1, 40)) + "\n"


@settings(max_examples=60, deadline=None)
@given(line=st.integers(1, 39), n=st.integers(1, 20), limit=st.integers(40, 4000))
def test_a_marked_excerpt_fits_and_keeps_the_quote_while_it_can(line, n, limit):
    start = TEXT.index(f"line {line} of")
    quote = TEXT[start : TEXT.index("\n", start)]
    c = Citation(quote, "p.md", line, start, start + len(quote), 0.5)
    excerpt = lines_around(TEXT, line, line, n)
    out = marked(excerpt, c, limit)
    assert len(out) <= limit
    if limit >= len(quote) + 10:
        assert f"**{quote}**" in out
