"""reStructuredText through docutils (with the Sphinx vocabulary): blocks, spans, display text."""

from __future__ import annotations

from index.ingest.loaders import load_file
from index.models.documents import CODE, Document
from tests.index.ingest.loaders.conftest import assert_well_formed, shown

GUIDE = """\
.. _quickstart:

Quickstart
==========

.. module:: requests.models

Call :func:`requests.get` or :class:`~requests.models.Response`, see
:ref:`the install guide <install>` and ``r.text``.

* Requests is :ref:`installed <install>`
* A `link <https://x.y>`_ here

Begin by importing the module::

    >>> import requests

.. note::

   An important **note**.

.. admonition:: Remove a Value

    Set it to ``None``.

.. versionadded:: 2.10.0

.. code-block:: python
   :emphasize-lines: 2

   s = requests.Session()
   s.get(url)

.. autoclass:: requests.Session
   :inherited-members:

.. sphinx-unknown-directive:: some argument

   Text inside an unknown directive.

Sub section
-----------

timeout
    How long to wait, in seconds.

:param url: The URL.

+-------+-------+
| Name  | Value |
+=======+=======+
| a     | ``1`` |
+-------+-------+

A role nobody knows: :weird:`thing` and |version| and [#]_.

.. [#] The footnote text.
"""


def load(write, name: str, content: str) -> Document:
    (doc,) = load_file(write(name, content), name)
    assert doc.text == content
    assert_well_formed(doc)
    return doc


def test_sections_roles_admonitions_and_code(write, capsys) -> None:
    doc = load(write, "docs/user/quickstart.rst", GUIDE)
    assert doc.title == "Quickstart" and doc.format == "rst"
    q, s = "Quickstart", "Quickstart > Sub section"
    assert shown(doc) == [
        ("heading", "Quickstart", ""),
        ("paragraph", "Call `requests.get` or `Response`, see the install guide and `r.text`.", q),
        ("list_item", "Requests is installed", q),
        ("list_item", "A link here", q),
        ("paragraph", "Begin by importing the module:", q),
        ("code", ">>> import requests", q),
        ("admonition", "An important note.", "Quickstart > Note"),
        ("admonition", "Set it to `None`.", "Quickstart > Remove a Value"),
        ("paragraph", "Added in version 2.10.0", q),
        ("code", "s = requests.Session()\ns.get(url)", q),
        ("paragraph", "Text inside an unknown directive.", "Quickstart > some argument"),
        ("heading", "Sub section", q),
        ("definition", "timeout: How long to wait, in seconds.", s),
        ("definition", "param url: The URL.", s),
        ("table_row", "Name: a | Value: `1`", s),
        ("paragraph", "A role nobody knows: thing and and.", s),
        ("footnote", "The footnote text.", s),
    ]
    blocks = {b.display_text(doc.text): b for b in doc.blocks}
    src = {d: doc.text[b.start : b.end] for d, b in blocks.items()}
    assert src["Call `requests.get` or `Response`, see the install guide and `r.text`."] == (
        "Call :func:`requests.get` or :class:`~requests.models.Response`, see\n"
        ":ref:`the install guide <install>` and ``r.text``."
    )
    assert src["Begin by importing the module:"] == "Begin by importing the module::"
    assert src["s = requests.Session()\ns.get(url)"] == "s = requests.Session()\n   s.get(url)"
    code = blocks[">>> import requests"]
    assert (code.kind, code.language) == (CODE, "pycon")
    assert blocks["s = requests.Session()\ns.get(url)"].language == "python"
    assert blocks["Begin by importing the module:"].lead_in
    # no docutils system message reaches the user, none is indexed
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert not any("Unknown" in d or "ERROR" in d for _, d, _ in shown(doc))


def test_autodoc_is_counted(write, tmp_path) -> None:
    from index.ingest.loaders import load_folder

    write(
        "api.rst",
        "API\n===\n\n.. autofunction:: requests.get\n\n.. autoclass:: requests.Session\n   :members:\n",
    )
    result = load_folder(tmp_path)
    assert shown(result.documents[0]) == [("heading", "API", "")]
    assert result.api_directives == {"api.rst": 2}


def test_version_directives_with_their_text_and_a_substitution_reference(write) -> None:
    doc = load(
        write,
        "config.rst",
        "Config\n======\n\n.. versionchanged:: 2.3\n   Not set by default, see ``SERVER_NAME``.\n\n"
        ".. versionadded:: 0.4\n   ``LOGGER_NAME``\n\n"
        "|fetch|_ is the modern way.\n\n.. |fetch| replace:: ``fetch``\n.. _fetch: https://x.y\n",
    )
    assert shown(doc) == [
        ("heading", "Config", ""),
        ("admonition", "Not set by default, see `SERVER_NAME`.", "Config > Changed in version 2.3"),
        ("admonition", "`LOGGER_NAME`", "Config > Added in version 0.4"),
        ("paragraph", "fetch is the modern way.", "Config"),
    ]


def test_a_file_docutils_chokes_on_never_stops_the_load(write) -> None:
    doc = load(
        write,
        "odd.rst",
        "Title\n=====\n\n.. |x| replace:: y\n\n* item\n\n  broken `interpreted\n\nText |x|.\n",
    )
    assert shown(doc)[0] == ("heading", "Title", "")
    assert ("paragraph", "Text y.", "Title") in shown(doc)  # the substitution is shown, not its name


PROJECT_DIRECTIVES = """\
Options
=======

Give the option a name:

.. mylib:example::

    @mylib.command()
    @mylib.option('--name', 'name')
    def hello(name):
        mylib.echo(name)

.. mylib:run::

    invoke(hello, args=['--help'])

.. mylib:aside:: Careful

    Names are case sensitive.
"""


def test_a_project_directive_holding_code_is_a_code_block(write) -> None:
    [doc] = load_file(write("options.rst", PROJECT_DIRECTIVES), "options.rst")
    assert_well_formed(doc)
    code = [(b.language, b.display_text(doc.text)) for b in doc.blocks if b.kind == CODE]
    assert code == [
        ("python", "@mylib.command()\n@mylib.option('--name', 'name')\ndef hello(name):\n    mylib.echo(name)"),
        ("python", "invoke(hello, args=['--help'])"),
    ]
    prose = [text for kind, text, _ in shown(doc) if kind != CODE]
    assert "Names are case sensitive." in prose  # prose inside an unknown directive stays text
    assert not any("def hello" in text for text in prose)


def test_doctest_directives_are_console_code_and_hidden_ones_are_not_text(write) -> None:
    doc = load(
        write,
        "logging.rst",
        "Logging\n=======\n\n.. testsetup:: *\n\n   import structlog\n\n.. doctest:: group1\n\n"
        "   >>> structlog.get_logger()\n\n.. graphviz::\n\n   digraph { a -> b }\n\nThe end.\n",
    )
    assert [(b.kind, b.display_text(doc.text)) for b in doc.blocks] == [
        ("heading", "Logging"),
        ("code", ">>> structlog.get_logger()"),
        ("paragraph", "The end."),
    ]
    assert doc.blocks[1].language == "pycon"


def test_content_language_tells_code_from_prose() -> None:
    from index.ingest.loaders.rst_sphinx import content_language

    assert content_language(["    import os", "    os.getcwd()"]) == "python"
    assert content_language([">>> 1 + 1", "2"]) == "pycon"
    assert content_language(["Use it like this."]) is None
    assert content_language(["Note"]) is None  # a bare name parses but is not code
    assert content_language(["See :func:`run` for more."]) is None
