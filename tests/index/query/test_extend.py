"""Quotes over several units (index.query.extend) on small hand-made Markdown documents.

Each document is loaded by the real Markdown loader and indexed with the fake embedder, so the span
rules read the same records (units, blocks) as they do in ``citebot ask``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.ingest.builder import build_index
from index.ingest.loaders.markdown import load_markdown
from index.query.extend import MAX_CHARS, Evidence, Span, extend
from index.query.spans import neighbourhood
from index.settings import Settings
from index.storage.backend import Backend, open_backend
from tests.conftest import FakeEmbedder


def backend_of(tmp_path: Path, text: str) -> tuple[Backend, str]:
    path = tmp_path / "docs" / "page.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    doc = load_markdown(path, "page.md")
    settings = Settings(index_dir=tmp_path / "index")
    build_index(settings, documents=[doc], embedder=FakeEmbedder())
    return open_backend(settings), doc.text


def unit_of(backend: Backend, starts_with: str) -> int:
    for i in range(backend.n_units):
        if backend.unit(i).display.startswith(starts_with):
            return i
    raise AssertionError(f"no unit starts with {starts_with!r}")


def evidence(question: str = "", relevance: dict[int, float] | None = None) -> Evidence:
    """Question terms: lower-cased words (weight 1 each), enough for the span rules."""
    wanted = set(re.findall(r"\w+", question.lower()))

    def terms(text: str) -> dict[str, float]:
        return {w: 1.0 for w in set(re.findall(r"\w+", text.lower())) if w in wanted}

    return Evidence(relevance or {}, terms, float(len(wanted)))


def span_for(backend: Backend, start: str, ev: Evidence | None = None, max_chars: int = MAX_CHARS) -> Span:
    i = unit_of(backend, start)
    return extend(neighbourhood(backend, i), i, ev or evidence(), max_chars)


def check_verbatim(span: Span, text: str) -> None:
    """The span is one stretch of the source, and each part is its own unit's (or lines') source."""
    assert span.start < span.end
    for a, b in zip(span.parts, span.parts[1:], strict=False):
        assert a.end <= b.start
    for p in span.parts:
        assert text[p.start : p.end].strip()
    assert text.count("\n", 0, span.start) + 1 == span.line


LEAD_IN_CODE = """# Timeouts

Some prose first. You can set timeouts for an individual request:

```python
httpx.get('http://example.com/api/v1/example', timeout=10.0)
```

Another paragraph.
"""


def test_lead_in_with_the_code_it_introduces(tmp_path):
    backend, text = backend_of(tmp_path, LEAD_IN_CODE)
    span = span_for(backend, "You can set timeouts")
    assert [p.kind for p in span.parts] == ["paragraph", "code"]
    assert span.kind == "code" and span.language == "python" and span.why == "lead_in"
    quote = text[span.start : span.end]
    assert quote.startswith("You can set timeouts") and quote.endswith("timeout=10.0)")
    assert "```python\nhttpx.get(" in span.display(text)  # code fenced with its language beside prose
    assert span.line == 3 and span.end_line == 6
    check_verbatim(span, text)


def test_code_with_the_lead_in_that_introduces_it(tmp_path):
    backend, text = backend_of(tmp_path, LEAD_IN_CODE)
    span = span_for(backend, "httpx.get(")
    assert [p.kind for p in span.parts] == ["paragraph", "code"] and span.why == "introduced"
    assert "Some prose first" not in text[span.start : span.end]  # only the lead-in sentence


LEAD_IN_LIST = """# Types

There are four different types of timeouts:

* The **connect** timeout specifies how long to wait for a connection.
* The **read** timeout specifies how long to wait for data.
    * Nested detail of the read timeout.
* The **write** timeout is the same for sending.

A paragraph after the list.
"""


def test_list_intro_with_its_items(tmp_path):
    backend, text = backend_of(tmp_path, LEAD_IN_LIST)
    span = span_for(backend, "There are four")
    assert span.why == "lead_in"
    assert [p.kind for p in span.parts] == ["paragraph"] + ["list_item"] * 4
    shown = span.display(text)
    assert "connect timeout" in shown and "Nested detail" in shown and "write timeout" in shown
    assert "A paragraph after" not in shown
    check_verbatim(span, text)


def test_list_items_only_as_many_as_fit(tmp_path):
    backend, text = backend_of(tmp_path, LEAD_IN_LIST)
    span = span_for(backend, "There are four", max_chars=150)
    assert 2 <= len(span.parts) < 5 and len(span.display(text)) <= 150
    assert all(p.kind == "list_item" for p in span.parts[1:])


FOLLOW_UP = """# Timeouts

Timeouts can be configured on the client and on each request. By default, the timeout is five seconds.
Unrelated trailing sentence about pools.

## Other

Something else entirely. The weather is nice.
"""


def test_sentence_with_the_follow_up_that_completes_it(tmp_path):
    backend, text = backend_of(tmp_path, FOLLOW_UP)
    i = unit_of(backend, "Timeouts can be configured")
    ev = evidence("what is the default timeout", {i: 0.6, i + 1: 0.2})
    span = extend(neighbourhood(backend, i), i, ev)
    assert span.why == "follow_up"
    assert text[span.start : span.end] == (
        "Timeouts can be configured on the client and on each request. By default, the timeout is five seconds."
    )
    check_verbatim(span, text)


def test_follow_up_by_terms_it_adds(tmp_path):
    """Not a candidate at all, but it holds the question's words that the anchor lacks."""
    backend, text = backend_of(tmp_path, FOLLOW_UP)
    span = span_for(backend, "Timeouts can be configured", evidence("the default five seconds"))
    assert span.why == "follow_up"


def test_no_follow_up_without_evidence_or_continuation(tmp_path):
    backend, text = backend_of(tmp_path, FOLLOW_UP)
    # the next sentence opens as a continuation, but the question points nowhere near it
    assert span_for(backend, "Timeouts can be configured", evidence("configured client")).why == "unit"
    # the next sentence does not open as a continuation
    assert span_for(backend, "By default", evidence("pools unrelated trailing")).why == "unit"


def test_never_across_a_heading(tmp_path):
    text = """# One

Set it like this.

# Two

This is another section.
"""
    backend, text = backend_of(tmp_path, text)
    i = unit_of(backend, "Set it like")
    span = extend(neighbourhood(backend, i), i, evidence("another section", {i: 0.5, i + 1: 0.5}))
    assert span.units == (i,)
    back = span_for(backend, "This is another section")  # refers back, but across a heading
    assert len(back.parts) == 1


def test_antecedent_of_a_sentence_that_refers_back(tmp_path):
    text = """# Hosts

Use this extension to connect to an explicit IP address.

For example:

```python
client.get("https://185.199.108.153", extensions={"sni_hostname": "www.encode.io"})
```
"""
    backend, text = backend_of(tmp_path, text)
    span = span_for(backend, "For example")
    assert span.why == "antecedent+lead_in"
    assert [p.kind for p in span.parts] == ["paragraph", "paragraph", "code"]
    assert text[span.start : span.end].startswith("Use this extension")
    check_verbatim(span, text)


def long_code(n: int) -> str:
    body = "\n".join(f"value_{k} = compute_{k}(x)  # step {k} of the pipeline" for k in range(n))
    return body.replace("value_30 = compute_30(x)", "retries = transport.retries(attempts=3)")


def test_long_code_is_trimmed_to_the_lines_that_match(tmp_path):
    text = f"# Code\n\nA long example:\n\n```python\n{long_code(60)}\n```\n"
    backend, text = backend_of(tmp_path, text)
    span = span_for(backend, "value_0 =", evidence("how many retries does the transport make"))
    assert span.why == "trimmed" and len(span.parts) == 1
    part = span.parts[0]
    assert part.trimmed and "retries = transport.retries(attempts=3)" in part.display
    assert len(part.display) <= MAX_CHARS
    assert text[part.start : part.end] == part.display  # the lines themselves, verbatim
    first = text.count("\n", 0, part.start) + 1
    assert part.line == first and part.end_line == first + part.display.count("\n")
    assert part.line > 6  # not the block's first line: the block starts at line 6


def test_trimmed_code_inside_a_list_maps_lines_back_to_source(tmp_path):
    """Indented code (a list item's): display lines drop the indentation, the source keeps it."""
    code = "\n".join(f"    line_{k} = {k}" for k in range(80)).replace("line_50 = 50", "needle = find()")
    text = f"# L\n\n* An item:\n\n    ```python\n{code}\n    ```\n"
    backend, text = backend_of(tmp_path, text)
    span = span_for(backend, "line_0 =", evidence("needle find"))
    part = span.parts[0]
    assert part.trimmed and "needle = find()" in part.display
    assert text[part.start : part.end].replace("\n    ", "\n") == part.display


@pytest.mark.parametrize("max_chars", [120, 300, MAX_CHARS])
def test_a_span_never_exceeds_the_limit(tmp_path, max_chars):
    text = "# T\n\n" + " ".join(f"This is sentence {k} about timeouts." for k in range(40)) + "\n"
    backend, text = backend_of(tmp_path, text)
    for i in range(backend.n_units):
        ev = evidence("timeouts sentence", {k: 0.5 for k in range(backend.n_units)})
        span = extend(neighbourhood(backend, i), i, ev, max_chars)
        assert len(span.display(text)) <= max(max_chars, len(backend.unit(i).display))
        check_verbatim(span, text)


def test_overlap_is_per_document():
    from index.query.extend import Part

    a = Span((Part(0, "paragraph", "", 0, 10, 1, 1, "x", 0),), doc=0)
    b = Span((Part(5, "paragraph", "", 5, 20, 1, 1, "y", 0),), doc=0)
    c = Span((Part(5, "paragraph", "", 5, 20, 1, 1, "y", 0),), doc=1)
    assert a.overlaps(b) and not a.overlaps(c)


POOL = """# Pool limits

You can control the connection pool size using the `limits` keyword argument. It takes instances of `Limits` which define:

- `max_connections`, maximum number of allowable connections.
- `keepalive_expiry`, time limit on idle connections.

```python
limits = httpx.Limits(max_connections=10)
client = httpx.Client(limits=limits)
```

# Other

Something unrelated.
"""


def test_a_question_for_code_gets_the_paragraph_through_its_code(tmp_path):
    backend, text = backend_of(tmp_path, POOL)
    i = unit_of(backend, "You can control")
    ev = evidence("snippet to cap the pool at 10 connections with Limits client")
    assert ev.wants_code is False  # the test helper does not read the question; the stage does
    from dataclasses import replace

    span = extend(neighbourhood(backend, i), i, replace(ev, wants_code=True))
    assert span.why == "to_code" and span.parts[-1].kind == "code" and span.kind == "code"
    shown = span.display(text)
    assert "\n- `max_connections`" in shown and "```python\nlimits = httpx.Limits" in shown
    assert "Something unrelated" not in shown
    check_verbatim(span, text)
    # without asking for code, the sentence stays alone
    assert extend(neighbourhood(backend, i), i, ev).why in ("unit", "follow_up")


def test_what_asks_for_code():
    from index.query.extend import WANTS_CODE

    for q in ("snippet to cap the pool?", "example code for retries", "show me how to stream", "code pls"):
        assert WANTS_CODE.search(q), q
    for q in ("what status code means not found?", "why is it slow?"):
        assert not WANTS_CODE.search(q), q


def test_a_question_for_code_never_gets_code_a_paragraph_does_not_introduce(tmp_path):
    text = """# Widget

The caretaker of the widget is 39 years old.

```python
client = widget.Client(timeout=10.0)
```
"""
    backend, text = backend_of(tmp_path, text)
    from dataclasses import replace

    ev = replace(evidence("show me an example of setting a timeout on the client"), wants_code=True)
    i = unit_of(backend, "The caretaker")
    assert extend(neighbourhood(backend, i), i, ev).units == (i,)


NEIGHBOURS = """# Redirects

Unlike `requests`, HTTPX does not follow redirects by default.

We differ in behaviour here because auto-redirects can easily mask unnecessary network calls.

# Cookies

Cookies set on the client persist. Per-request cookies are deprecated. Set them on the client instead.
"""


def test_the_next_best_candidate_beside_the_best_joins_its_quote(tmp_path):
    backend, text = backend_of(tmp_path, NEIGHBOURS)
    i = unit_of(backend, "Unlike")
    ev = evidence("why no redirects", {i: 0.6, i + 1: 0.3})
    span = extend(neighbourhood(backend, i), i, ev)
    assert span.why == "neighbours" and span.units == (i, i + 1)
    assert text[span.start : span.end].endswith("unnecessary network calls.")
    check_verbatim(span, text)
    # the better-rated one keeps its own quote: the lower-rated neighbour does not take it in
    assert extend(neighbourhood(backend, i + 1), i + 1, ev).units == (i + 1,)


def test_neighbours_before_the_anchor_and_the_unit_between(tmp_path):
    backend, text = backend_of(tmp_path, NEIGHBOURS)
    a = unit_of(backend, "Set them on the client")
    first = unit_of(backend, "Cookies set on the client")
    ev = evidence("cookies on the client", {a: 0.5, first: 0.2, a - 1: 0.001})
    span = extend(neighbourhood(backend, a), a, ev)
    assert span.units == (first, first + 1, a)
    assert text[span.start : span.end] == (
        "Cookies set on the client persist. Per-request cookies are deprecated. Set them on the client instead."
    )


def test_no_neighbours_when_weak_far_across_a_heading_or_switched_off(tmp_path):
    backend, text = backend_of(tmp_path, NEIGHBOURS)
    i = unit_of(backend, "Unlike")
    j = unit_of(backend, "Cookies set on")
    weak = evidence("why", {i: 0.9, i + 1: 0.01})  # under follow_ratio of the anchor
    assert extend(neighbourhood(backend, i), i, weak).units == (i,)
    across = evidence("why", {i + 1: 0.6, j: 0.3})  # the next section's first sentence
    assert extend(neighbourhood(backend, i + 1), i + 1, across).units == (i + 1,)
    rated = evidence("why", {i: 0.6, i + 1: 0.3})
    assert extend(neighbourhood(backend, i), i, rated, neighbours=False).units == (i,)
    third = evidence("why", {i: 0.6, 90: 0.3, 91: 0.2, i + 1: 0.1})  # not among the best three
    assert extend(neighbourhood(backend, i), i, third).units == (i,)


DUPLICATE_BETWEEN = """# Fire

fire fire fire fire fire. fire fire fire fire. fire.
"""


def test_a_span_never_skips_a_sentence_the_build_dropped_as_a_near_duplicate(tmp_path):
    backend, text = backend_of(tmp_path, DUPLICATE_BETWEEN)
    i = unit_of(backend, "fire fire fire fire fire.")
    j = i + 1  # the next unit; the near-duplicate sentence between them is no unit
    assert backend.unit(j).start > backend.unit(i).end + 1
    ev = evidence("fire", {i: 0.6, j: 0.3})
    span = extend(neighbourhood(backend, i), i, ev)
    assert span.units == (i,)  # not (i, j): its quote would hold a sentence its display leaves out
    shown = span.display(text).replace(" ", "")
    assert shown in text[span.start : span.end].replace(" ", "")


def test_a_code_line_scores_the_words_inside_its_identifiers() -> None:
    ev = evidence("example of writing my own url converter")
    assert ev.line_score("class BooleanConverter(BaseConverter):") == 1.0  # "converter"
    assert ev.line_score("    def __init__(self, url_map, maybe=False):") == 1.0  # "url"
    assert ev.line_score("            return not randrange(2)") == 0.0


BODY = "\n".join(f"        step_{k} = compute(value, {k})" for k in range(14))
CONVERTER = f"""# Converters

This example implements a converter. ::

```python
from werkzeug.routing import BaseConverter

class BooleanConverter(BaseConverter):
    regex = r"(?:yes|no|maybe)"

    def to_python(self, value):
{BODY}
        return value == 'yes'

url_map = Map([Rule("/vote/<bool:x>")], converter=BooleanConverter)
```
"""


def test_a_long_example_is_trimmed_to_where_it_names_the_question(tmp_path: Path) -> None:
    backend, text = backend_of(tmp_path, CONVERTER)
    i = unit_of(backend, "from werkzeug.routing")
    span = extend(neighbourhood(backend, i), i, evidence("example of writing my own url converter", {i: 0.9}))
    assert span.why == "trimmed"
    assert text[span.start : span.end].startswith("from werkzeug.routing import BaseConverter\n\nclass BooleanConverter")
