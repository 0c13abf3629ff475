"""What a code block's language says of it: a program or command, or a sample of document markup or
plain text. A model fact, kept beside the index's models so that the query side reads it without
importing the loaders (``index.query.unit_facts``)."""

from __future__ import annotations

# code blocks that show document markup or plain text (what goes into a renderer, or comes out of one), not
# a program, a command or a configuration: a Markdown library's ``md-render`` example, an ``html`` output,
# a ``text`` listing. Answers to questions are the prose around them (none of the tuning sets' expected
# quotes is only such a block). A ``-render`` suffix (Python-Markdown's "render this example") is dropped.
MARKUP_SAMPLE_LANGUAGES = frozenset({
    "markdown", "md", "mdown", "gfm", "rst", "restructuredtext", "html", "xhtml", "xml",
    "text", "txt", "plain", "plaintext", "none", "output",
})  # fmt: skip
_RENDER_SUFFIX = "-render"


def is_markup_sample(language: str) -> bool:
    """The code block's language is document markup or plain text (``MARKUP_SAMPLE_LANGUAGES``)."""
    return language.lower().removesuffix(_RENDER_SUFFIX) in MARKUP_SAMPLE_LANGUAGES
