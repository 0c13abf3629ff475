"""The markup-residue check: every kind of markup a loader might leave in display text is caught,
and ordinary prose (and inline code, shown verbatim) is not."""

from __future__ import annotations

import pytest

from index.ingest.loaders.residue import NAMES, residue, residue_matches, without_inline_code


@pytest.mark.parametrize(
    ("display", "kind"),
    [
        ("Use **Typer** here.", "emphasis **"),
        ("Use *this* one.", "emphasis **"),
        ("Use __Typer__ here.", "emphasis __"),
        ("see ``timeout`` below", "double backticks"),
        ("a stray ` backtick", "backtick"),
        ("see [the guide](guide.md) for more", "Markdown link"),
        ("see [the guide][guide] for more", "Markdown link"),
        ("![logo](img/logo.png)", "Markdown link"),
        ("as said[^1].", "footnote reference"),
        ('The <abbr title="HyperText">HTML</abbr> spec', "HTML tag"),
        ("one<br>two", "HTML tag"),
        ("<!-- hidden -->", "HTML tag"),
        ("fish &amp; chips", "HTML entity"),
        ("call :func:`requests.get` first", "rST role"),
        ("call {py:func}`get` first", "rST role"),
        (".. note:: Beware", "rST directive"),
        ("see `the site <https://x.org>`_ now", "rST link"),
        ("see `Requests`_ now", "rST link"),
        ("see Requests_ now", "rST link"),
        ("Release v |version| today", "rST substitution"),
        ("as said [1]_ before", "rST footnote"),
        ("/// tip | Hint", "pymdown block"),
        ("text ///", "pymdown block"),
        ("!!! note", "admonition marker"),
        ("??? tip", "admonition marker"),
        ('=== "Windows"', "admonition marker"),
        ("{* ../../docs_src/app/main.py hl[3] *}", "code include"),
        ('--8<-- "snippets/note.md"', "snippet include"),
        (";--8<-- x", "snippet include"),
        ("::: httpx.Client", "mkdocstrings"),
        ("Title { #anchor .class }", "attribute list"),
        ("Works :material-check: everywhere :smile:", "icon shortcode"),
        ("Hello {{ user.name }}", "template"),
        ("{% block content %}", "template"),
        ("## Heading", "heading marker"),
        ("=====", "heading marker"),
        ("a \\*literal\\* star", "escape"),
    ],
)
def test_each_kind_of_markup_is_caught(display: str, kind: str) -> None:
    assert kind in NAMES
    assert kind in residue(display), residue_matches(display)


@pytest.mark.parametrize(
    "display",
    [
        "HTTPX is careful to enforce timeouts everywhere by default.",
        "Use `httpx.Client()` with `**kwargs` and `<port>` and `[text](url)` as code.",
        "The `__init__` method, and a __init__ mentioned in prose.",
        "2 * 3 = 6, a|b, x < y and y > z, C:\\path, 100% done.",
        "Requests no longer supports Python 2.7: pin to requests<2.28.",
        "Optional[Request] or List[Response] or tuple[str, str].",
        "It takes way too much code for basic operations [1].",
        "HTTP/2 and https://example.com/path_with_underscore_ are plain text.",
        "Name: `timeout` | Meaning: How long to wait.",
        "snake_case names and my_var_ stay.",
        "Listen on [::1]:8080 or 10:27:18, the ratio 1:2 and Note: this.",
    ],
)
def test_plain_prose_and_inline_code_are_clean(display: str) -> None:
    assert residue(display) == [], residue_matches(display)


def test_inline_code_is_left_out_of_the_check() -> None:
    assert without_inline_code("a `**b**` c") == "a   c"
    assert residue("a `**b**` c") == []
    assert residue("a `**b**` **c**") == ["emphasis **"]
