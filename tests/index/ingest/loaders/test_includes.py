"""Includes: included code is cited at its own file and lines, under the page's heading path;
one Document per source path; unresolved includes are reported and never indexed."""

from __future__ import annotations

from pathlib import Path

from index.ingest.loaders import load_folder
from index.models.documents import CODE, DOCS
from tests.index.ingest.loaders.conftest import assert_well_formed, shown

APP = """\
import httpx

# --8<-- [start:client]
client = httpx.Client()
# --8<-- [end:client]


def main():
    return client.get("https://example.org")
"""


def _docs(result, source):
    return next(d for d in result.documents if d.source == source)


def test_markdown_snippets_and_fastapi_includes(write, tmp_path: Path) -> None:
    write("docs_src/app.py", APP)
    write("docs_src/settings.toml", "[tool]\nname = 'x'\n")
    write(
        "docs/en/tutorial/first.md",
        "# First steps\n\n## Client\n\nMake a client:\n\n"
        '--8<-- "docs_src/app.py:client"\n\n'
        "## Whole\n\n"
        "{* ../../../docs_src/app.py ln[8:9] hl[2] *}\n\n"
        "## Block form\n\n--8<--\ndocs_src/settings.toml\nmissing.py\n--8<--\n\n"
        '=== "Remote"\n\n    --8<-- "https://example.org/x.py"\n',
    )
    result = load_folder(tmp_path)
    page = _docs(result, "docs/en/tutorial/first.md")
    assert_well_formed(page)
    # the page holds no included text, and its lead-in points at the include
    assert [d for _, d, _ in shown(page)] == [
        "First steps",
        "Client",
        "Make a client:",
        "Whole",
        "Block form",
    ]
    assert page.blocks[2].lead_in
    app = _docs(
        result, "docs_src/app.py"
    )  # also a code document of its own: one Document, both kinds of block
    assert_well_formed(app)
    assert app.role == DOCS and app.text == APP  # shown by the docs: not ranked as bare source
    got = [
        (b.kind, app.text[b.start : b.end], b.context, b.language, b.included_from)
        for b in app.blocks
        if b.included_from
    ]
    assert got == [
        (CODE, "client = httpx.Client()", "First steps > Client", "python", "docs/en/tutorial/first.md:7"),
        (
            CODE,
            'def main():\n    return client.get("https://example.org")',
            "First steps > Whole",
            "python",
            "docs/en/tutorial/first.md:11",
        ),
    ]
    assert [app.line_of(b.start) for b in app.blocks if b.included_from] == [4, 8]  # the file's own lines
    own = [app.text[b.start : b.end] for b in app.blocks if not b.included_from]
    assert own == ["import httpx"]  # snippet section markers are not prose
    toml = _docs(result, "docs_src/settings.toml")
    assert [(b.language, b.context) for b in toml.blocks] == [("toml", "First steps > Block form")]
    assert sorted((u.target, u.reason) for u in result.unresolved) == [
        ("https://example.org/x.py", "remote file, not fetched"),
        ("missing.py", "file not found"),
    ]
    assert {u.line for u in result.unresolved} == {17, 22}
    assert result.includes == 3


def test_included_code_that_is_also_indexed_on_its_own_is_one_document(write, tmp_path: Path) -> None:
    write("examples/app.py", APP)
    write("guide.md", "# Guide\n\n{* examples/app.py ln[8:9] *}\n")
    result = load_folder(tmp_path)
    sources = [d.source for d in result.documents]
    assert sources.count("examples/app.py") == 1
    app = _docs(result, "examples/app.py")
    assert_well_formed(app)
    main = next(b for b in app.blocks if app.text[b.start : b.end].startswith("def main"))
    assert (main.kind, main.context, main.included_from) == (CODE, "Guide", "guide.md:3")


def test_sphinx_literalinclude_and_include(write, tmp_path: Path) -> None:
    write("docs/conf.py", "project = 'x'\n")
    write("docs/examples/app.py", APP)
    write("docs/_snippets/note.rst", "A shared paragraph from an included file.\n")
    write(
        "docs/user/guide.rst",
        "Guide\n=====\n\nUsing it\n--------\n\nThe client:\n\n"
        ".. literalinclude:: ../examples/app.py\n   :start-after: [start:client]\n   :end-before: # --8<-- [end:client]\n\n"
        ".. literalinclude:: /examples/app.py\n   :pyobject: main\n   :caption: main()\n\n"
        ".. literalinclude:: ../examples/app.py\n   :lines: 1\n   :language: python3\n\n"
        ".. include:: ../_snippets/note.rst\n\n"
        ".. include:: ../../../HISTORY.md\n\n"
        ".. literalinclude:: ../examples/app.py\n   :start-after: no such marker\n",
    )
    result = load_folder(tmp_path)
    app = _docs(result, "docs/examples/app.py")
    got = [(app.text[b.start : b.end], b.context, b.language) for b in app.blocks if b.included_from]
    assert got == [
        ("import httpx", "Guide > Using it", "python3"),
        ("client = httpx.Client()", "Guide > Using it", "python"),
        ('def main():\n    return client.get("https://example.org")', "Guide > Using it > main()", "python"),
    ]
    note = _docs(result, "docs/_snippets/note.rst")
    assert shown(note) == [("paragraph", "A shared paragraph from an included file.", "Guide > Using it")]
    guide = _docs(result, "docs/user/guide.rst")
    assert [d for _, d, _ in shown(guide)] == ["Guide", "Using it", "The client:"]
    assert guide.blocks[-1].lead_in
    assert sorted((u.target, u.reason) for u in result.unresolved) == [
        ("../../../HISTORY.md", "outside the docs folder"),
        ("../examples/app.py", "start-after text 'no such marker' not found"),
    ]
    assert "docs/conf.py" in {s.path for s in result.not_indexed}


def test_an_include_never_reads_secrets_hidden_files_or_links_out_of_the_folder(
    write, tmp_path: Path
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text("TOKEN = 'outside'\n")
    write(".env", "TOKEN=secret\n")
    write("keys/deploy.pem", "-----BEGIN PRIVATE KEY-----\n")
    (tmp_path / "link.py").symlink_to(outside)
    write("page.md", '# Page\n\n--8<-- ".env"\n\n--8<-- "keys/deploy.pem"\n\n{* link.py *}\n')
    result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["page.md"]
    assert sorted((u.target, u.reason) for u in result.unresolved) == [
        (".env", "a hidden file (never indexed)"),
        ("keys/deploy.pem", "a key or credentials file (never indexed)"),
        ("link.py", "outside the docs folder"),
    ]
    assert not any("secret" in d.text or "outside" in d.text for d in result.documents)
