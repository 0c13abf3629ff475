"""Source files: cut at top-level definitions, docstrings and comments as prose."""

from __future__ import annotations

from index.ingest.loaders import load_file
from index.models.documents import SOURCE
from tests.index.ingest.loaders.conftest import assert_well_formed

MODULE = '''\
"""Helpers for :class:`Client` users.

Read ``timeout`` first.
"""

import httpx

DEFAULT = 5.0

# Section: building clients.
# Two lines of comment.


@decorated
def make(timeout=DEFAULT):
    """Make a client with the given timeout."""
    return httpx.Client(timeout=timeout)


class Pool:
    """A pool of clients."""

    size = 10

    def get(self):
        """The next client."""
        return self._next()

    def _next(self):
        return None
'''


def test_python_module_definitions_docstrings_and_comments(write) -> None:
    (doc,) = load_file(write("src/helpers.py", MODULE), "src/helpers.py")
    assert_well_formed(doc)
    assert (doc.format, doc.role) == ("code", SOURCE)
    got = [(b.kind, b.display_text(doc.text), b.context) for b in doc.blocks]
    assert got == [
        ("paragraph", "Helpers for `Client` users.", ""),
        ("paragraph", "Read `timeout` first.", ""),
        ("code", "import httpx\n\nDEFAULT = 5.0", ""),
        ("paragraph", "Section: building clients. Two lines of comment.", ""),
        ("code", "@decorated\ndef make(timeout=DEFAULT):", "make"),
        ("paragraph", "Make a client with the given timeout.", "make"),
        ("code", "return httpx.Client(timeout=timeout)", "make"),
        ("code", "class Pool:", "Pool"),
        ("paragraph", "A pool of clients.", "Pool"),
        ("code", "size = 10", "Pool"),
        ("code", "def get(self):", "Pool.get"),
        ("paragraph", "The next client.", "Pool.get"),
        ("code", "return self._next()", "Pool.get"),
        ("code", "def _next(self):\n    return None", "Pool._next"),
    ]
    assert all(b.language == "python" for b in doc.blocks if b.kind == "code")
    comment = doc.blocks[3]
    assert doc.text[comment.start : comment.end] == "# Section: building clients.\n# Two lines of comment."


def test_invalid_python_falls_back_to_the_lexer(write) -> None:
    (doc,) = load_file(write("broken.py", "# a comment\ndef f(:\n    pass\n"), "broken.py")
    assert_well_formed(doc)
    assert [(b.kind, b.display_text(doc.text)) for b in doc.blocks] == [
        ("paragraph", "a comment"),
        ("code", "def f(:\n    pass"),
    ]


GO = """\
// Package demo shows a client.
package demo

import "net/http"

// Get fetches a URL.
// It returns the response.
func Get(url string) (*http.Response, error) {
	// inside: stays code

	return http.Get(url)
}
"""


def test_other_languages_comments_as_prose_code_cut_at_top_level(write) -> None:
    (doc,) = load_file(write("demo.go", GO), "demo.go")
    assert_well_formed(doc)
    got = [(b.kind, b.display_text(doc.text)) for b in doc.blocks]
    assert got == [
        ("paragraph", "Package demo shows a client."),
        ("code", "package demo"),
        ("code", 'import "net/http"'),
        ("paragraph", "Get fetches a URL. It returns the response."),
        (
            "code",
            "func Get(url string) (*http.Response, error) {\n\t// inside: stays code\n\n\treturn http.Get(url)\n}",
        ),
    ]
    assert (
        doc.blocks[-1].language == "go"
        and doc.blocks[-1].context == "func Get(url string) (*http.Response, error) {"
    )


def test_empty_init_files_are_not_indexed_quietly(write, tmp_path) -> None:
    from index.ingest.loaders import load_folder

    write("pkg/__init__.py", "")
    write("pkg/mod.py", "X = 1\n")
    result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["pkg/mod.py"]
    assert result.skipped == []
    assert [(s.path, s.reason) for s in result.not_indexed] == [("pkg/__init__.py", "empty source file")]
