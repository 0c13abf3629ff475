"""Document loaders: every segment must point at the exact prose in Document.text."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from index.errors import CitebotError, DocsNotFound
from index.ingest.loaders import (
    LoaderError,
    LoadResult,
    Skipped,
    iter_beir_corpus,
    load_file,
    load_folder,
)
from index.ingest.loaders._common import paragraph_spans
from index.models.documents import Document

SEED = Path(__file__).resolve().parents[3] / "seeds" / "paris-fire-rescue.txt"


def quoted(doc: Document) -> list[str]:
    return [doc.text[s.start : s.end] for s in doc.blocks]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal real PDF: one Helvetica text object per page, one Tj per line."""

    def pdf_string(s: str) -> str:
        return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    n = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 12 Tf", "72 720 Td"]
        for j, line in enumerate(lines):
            if j:
                ops.append("0 -16 Td")
            ops.append(f"{pdf_string(line)} Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- plain text ---------------------------------------------------------------------------


def test_txt_text_is_the_file_and_segments_are_paragraphs(tmp_path: Path) -> None:
    content = "  First paragraph\nwraps here.  \n\n \t \nSecond one.\n\n\n   Third.\n"
    (doc,) = load_file(write(tmp_path / "a.txt", content), "a.txt")
    assert doc.text == content
    assert doc.source == "a.txt"
    assert doc.title == ""
    assert quoted(doc) == ["First paragraph\nwraps here.", "Second one.", "Third."]
    assert all(s.wrapped is None and s.page is None and s.context == "" for s in doc.blocks)


def test_txt_crlf_is_kept_and_offsets_match_lines(tmp_path: Path) -> None:
    content = "line one\r\nline two\r\n\r\nline four\r\n"
    (doc,) = load_file(write(tmp_path / "crlf.txt", content), "crlf.txt")
    assert doc.text == content  # newlines not translated
    assert quoted(doc) == ["line one\r\nline two", "line four"]
    assert [doc.line_of(s.start) for s in doc.blocks] == [1, 4]


def test_txt_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbfCaf\xc3\xa9 au lait.\n")
    (doc,) = load_file(path, "bom.txt")
    assert doc.text == "Café au lait.\n"
    assert quoted(doc) == ["Café au lait."]


def test_real_seed_file_paragraphs() -> None:
    (doc,) = load_file(SEED, "paris-fire-rescue.txt")
    assert doc.text == SEED.read_text(encoding="utf-8")
    assert len(doc.text.splitlines()) == 18  # blank lines 9 and 11
    paragraphs = quoted(doc)
    assert len(paragraphs) == 3
    assert [doc.line_of(s.start) for s in doc.blocks] == [1, 10, 12]
    assert paragraphs[0].startswith("A hero caretaker helped save two babies")
    assert paragraphs[0].endswith("holding her baby out of a window.")
    assert paragraphs[1].startswith("Fousseynou Cissé, 39,")
    assert paragraphs[2].endswith("Just his courage.’")
    assert "\n\n" not in "".join(paragraphs)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u2028\xa0"), max_size=60))
def test_paragraph_spans_are_trimmed_ordered_and_cover_all_words(text: str) -> None:
    spans = paragraph_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end
        piece = text[start:end]
        assert piece == piece.strip()
        assert all(line.strip() for line in piece.splitlines())  # no blank line inside
        previous_end = end
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.count("a") == text.count("a") and covered.count("b") == text.count("b")


# Markdown, reStructuredText, notebooks, code and includes: tests/index/ingest/loaders/


# --- html ---------------------------------------------------------------------------------

HTML = """<!doctype html>
<html><head><title>Fire  &amp; Rescue</title><style>p { color: red }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/news">News nav link</a></nav>
<header>Site header</header>
<p>Outside main, ignored.</p>
<main>
  <h1>Caretaker saves   babies</h1>
  <p>He said he &lsquo;didn&rsquo;t think
     twice&rsquo; &amp; climbed out.</p>
  <script>var secret = "script text";</script>
  <aside>Related stories</aside>
  <h2>Reactions</h2>
  <ul><li>A senator: <b>impressive</b> courage.</li><li>An MEP praised him.</li></ul>
  <blockquote><p>Without a helmet.</p></blockquote>
  <div>Direct div text<br>after a break.</div>
  <form><label>Subscribe</label></form>
  <!-- a comment -->
</main>
<footer>Copyright footer</footer>
</body></html>
"""


def test_html_keeps_main_text_drops_boilerplate_and_decodes_entities(tmp_path: Path) -> None:
    (doc,) = load_file(write(tmp_path / "news.html", HTML), "news.html")
    assert doc.title == "Fire & Rescue"
    assert doc.text == (
        "Caretaker saves babies\n\n"
        "He said he ‘didn’t think twice’ & climbed out.\n\n"
        "Reactions\n\n"
        "A senator: impressive courage.\n\n"
        "An MEP praised him.\n\n"
        "Without a helmet.\n\n"
        "Direct div text after a break."
    )
    got = [(doc.text[s.start : s.end], s.context) for s in doc.blocks]
    assert got == [
        ("He said he ‘didn’t think twice’ & climbed out.", "Caretaker saves babies"),
        ("A senator: impressive courage.", "Caretaker saves babies > Reactions"),
        ("An MEP praised him.", "Caretaker saves babies > Reactions"),
        ("Without a helmet.", "Caretaker saves babies > Reactions"),
        ("Direct div text after a break.", "Caretaker saves babies > Reactions"),
    ]
    assert all(s.wrapped is False for s in doc.blocks)
    for dropped in (
        "script text",
        "News nav link",
        "Site header",
        "Related",
        "Subscribe",
        "Copyright",
        "Outside",
    ):
        assert dropped not in doc.text


def test_html_falls_back_to_article_then_body_and_h1_title(tmp_path: Path) -> None:
    article = "<body><p>Teaser</p><article><h1>Story</h1><p>Body text.</p></article></body>"
    (doc,) = load_file(write(tmp_path / "a.htm", article), "a.htm")
    assert doc.title == "Story"
    assert quoted(doc) == ["Body text."]
    body = "<body><div>Just <i>body</i> text<ul><li>item</li></ul>tail</div><table><tr><td>cell</td></tr></table>"
    (doc,) = load_file(write(tmp_path / "b.html", body), "b.html")
    assert doc.title == ""
    assert quoted(doc) == ["Just body text", "item", "tail", "cell"]


def test_html_without_text_is_a_loader_error(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><body><script>x()</script><nav>menu</nav></body></html>")
    with pytest.raises(LoaderError):
        load_file(path, "empty.html")


# --- pdf ----------------------------------------------------------------------------------


def test_pdf_pages_and_segments(tmp_path: Path) -> None:
    data = make_pdf([["Page one says hello.", "A second line (with parens)."], ["Page two text."]])
    assert len(PdfReader(io.BytesIO(data)).pages) == 2  # a real PDF pypdf can read
    (doc,) = load_file(write(tmp_path / "report.pdf", data), "report.pdf")
    assert [s.page for s in doc.blocks] == [1, 2]
    first, second = quoted(doc)
    assert "Page one says hello." in first and "A second line (with parens)." in first
    assert second == "Page two text."
    assert all(s.wrapped is True for s in doc.blocks)
    assert doc.text.index("Page two") > doc.text.index("parens")


def test_pdf_without_text_encrypted_or_broken_is_a_loader_error(tmp_path: Path) -> None:
    blank = write(tmp_path / "scan.pdf", make_pdf([[], []]))
    with pytest.raises(LoaderError, match=r"no extractable text \(scanned\?\)"):
        load_file(blank, "scan.pdf")

    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Secret text."]])))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(LoaderError, match="encrypted"):
        load_file(write(tmp_path / "locked.pdf", buffer.getvalue()), "locked.pdf")

    with pytest.raises(LoaderError, match="PDF"):
        load_file(write(tmp_path / "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n"), "broken.pdf")


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Open sesame."]])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    (doc,) = load_file(write(tmp_path / "open.pdf", buffer.getvalue()), "open.pdf")
    assert quoted(doc) == ["Open sesame."]


# --- BEIR ---------------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_beir_corpus_ids_titles_and_segments(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corpus.jsonl",
        jsonl(
            {"_id": "d1", "title": "Paris fire", "text": "A caretaker saved two babies."},
            {"_id": 42, "title": "", "text": "No title here."},
            {"_id": "d3", "text": "  Missing title key. "},
        ),
    )
    docs = list(iter_beir_corpus(path))
    assert [d.source for d in docs] == ["d1", "42", "d3"]
    assert [d.title for d in docs] == ["Paris fire", "", ""]
    d1 = docs[0]
    assert d1.text == "Paris fire\nA caretaker saved two babies."
    assert [(d1.text[s.start : s.end], s.context, s.wrapped) for s in d1.blocks] == [
        ("Paris fire", "Paris fire", False),  # the title is its own context: it stays in the first chunk
        ("A caretaker saved two babies.", "Paris fire", True),
    ]
    assert docs[1].text == "No title here."
    assert quoted(docs[1]) == ["No title here."]
    assert quoted(docs[2]) == ["Missing title key."]
    assert load_file(path, "ignored") == docs


def test_beir_malformed_line_is_skipped_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(
        tmp_path / "corpus.jsonl",
        jsonl({"_id": "a", "text": "first"}, "{not json", {"_id": "c", "text": "third"}, {"text": "no id"}),
    )
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        docs = list(iter_beir_corpus(path))
    assert [d.source for d in docs] == ["a", "c"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("corpus.jsonl" in w and "line 2" in w for w in warnings)
    assert any("corpus.jsonl" in w and "line 4" in w and "_id" in w for w in warnings)


def test_beir_bad_first_line_is_tolerated_when_the_rest_is_beir(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "corpus.jsonl", jsonl('{"_id": "a", "text": ', {"_id": "b", "text": "fine"}))
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        docs = list(iter_beir_corpus(path))
    assert [d.source for d in docs] == ["b"]
    assert any("line 1" in r.getMessage() for r in caplog.records)


def test_jsonl_that_is_not_beir_is_a_loader_error(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", jsonl({"event": "click", "x": 1}, {"event": "scroll", "y": 2}))
    with pytest.raises(LoaderError, match="not a BEIR corpus"):
        list(iter_beir_corpus(path))


# --- folders ------------------------------------------------------------------------------


def test_load_folder_recursive_sorted_sources_and_hidden_files(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "Bee.")
    write(tmp_path / "a" / "z.md", "Zed prose.")
    write(tmp_path / "a" / "c.TXT", "Upper-case suffix.")
    write(tmp_path / ".hidden.txt", "Hidden file.")
    write(tmp_path / ".git" / "notes.txt", "Hidden folder.")
    write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path / "notes.docx", "unsupported")
    result = load_folder(tmp_path)
    assert isinstance(result, LoadResult)
    assert [d.source for d in result.documents] == ["a/c.TXT", "a/z.md", "b.txt"]
    assert result.skipped == []  # files that are not documents are not failures…
    assert [(s.path, s.reason) for s in result.not_indexed] == [  # …but counted, by reason
        ("image.png", "image"),
        ("notes.docx", "unsupported file type"),
    ]


def test_load_folder_skips_bad_files_and_loads_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "good.txt", "Good prose.")
    write(tmp_path / "good.md", "# T\n\nGood markdown.")
    write(tmp_path / "good.pdf", make_pdf([["Good pdf."]]))
    write(tmp_path / "binary.txt", b"abc\x00\x01\x02def")
    write(tmp_path / "empty.md", b"")
    write(tmp_path / "blank.html", "  \n\t\n")
    write(tmp_path / "latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"))
    write(tmp_path / "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    write(tmp_path / "events.jsonl", jsonl({"event": "click"}, {"event": "scroll"}))
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        result = load_folder(tmp_path)

    assert sorted(d.source for d in result.documents) == ["good.md", "good.pdf", "good.txt"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert set(reasons) == {
        "binary.txt",
        "empty.md",
        "blank.html",
        "latin1.txt",
        "broken.pdf",
        "events.jsonl",
    }
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.md"] and "empty" in reasons["blank.html"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert "BEIR" in reasons["events.jsonl"]
    warnings = " ".join(r.getMessage() for r in caplog.records if r.name == "citebot.loaders")
    for name in reasons:
        assert name in warnings
    assert all(isinstance(s, Skipped) for s in result.skipped)


def test_load_folder_beir_sources_are_ids_and_duplicates_keep_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "a.jsonl", jsonl({"_id": "x", "text": "first x"}, {"_id": "y", "text": "y"}))
    write(tmp_path / "b.jsonl", jsonl({"_id": "x", "text": "second x"}))
    with caplog.at_level(logging.WARNING, logger="citebot.loaders"):
        result = load_folder(tmp_path)
    assert [(d.source, d.text) for d in result.documents] == [("x", "first x"), ("y", "y")]
    assert any("b.jsonl" in r.getMessage() and "'x'" in r.getMessage() for r in caplog.records)


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "ok.txt", "Fine.")
    locked = write(tmp_path / "locked.txt", "Secret.")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert result.skipped == [Skipped("locked.txt", "unreadable (Permission denied)")]


def test_a_crashing_loader_skips_the_file_not_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.ingest.loaders as loaders

    def boom(path: Path, source: str, ctx: object) -> list[Document]:
        raise RuntimeError("library bug")

    write(tmp_path / "ok.txt", "Fine.")
    write(tmp_path / "weird.htm", "<p>x</p>")
    monkeypatch.setitem(loaders._LOADERS, "html", boom)
    result = load_folder(tmp_path)
    assert [d.source for d in result.documents] == ["ok.txt"]
    assert result.skipped[0].path == "weird.htm" and "library bug" in result.skipped[0].reason


def test_missing_folder_or_file_instead_of_folder(tmp_path: Path) -> None:
    with pytest.raises(DocsNotFound):
        load_folder(tmp_path / "nope")
    with pytest.raises(DocsNotFound):
        load_folder(write(tmp_path / "file.txt", "x"))


def test_empty_folder_gives_no_documents(tmp_path: Path) -> None:
    assert load_folder(tmp_path) == LoadResult()


def test_load_file_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="unsupported") as info:
        load_file(write(tmp_path / "x.docx", "x"), "x.docx")
    assert isinstance(info.value, CitebotError)
