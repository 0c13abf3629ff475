"""How file bytes become document text: byte-order marks, NUL bytes, control characters."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from index.ingest.controls import strip_controls
from index.ingest.loaders import LoaderError, load_folder
from index.ingest.loaders._common import decode_text, scrub_document
from index.models.documents import PARAGRAPH, Block, Document

PROSE = "The caretaker of the lighthouse is named Ambroise Delacroix.\nHe is 39.\n"
FILLER = ("Filler prose about nothing in particular at all. " * 200)[:9000]


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
    ],
)
def test_a_byte_order_mark_names_the_encoding(bom: bytes, codec: str) -> None:
    """UTF-16 files were refused as "binary" (their NUL bytes)."""
    assert decode_text(bom + PROSE.encode(codec)) == PROSE
    assert decode_text(bom + "Crème brûlée, 日本語.".encode(codec)) == "Crème brûlée, 日本語."


def test_a_nul_byte_anywhere_refuses_the_file() -> None:
    """A NUL after the first 8 KB was indexed and quoted."""
    with pytest.raises(LoaderError, match=r"binary file \(NUL byte at offset 9024\)"):
        decode_text(FILLER.encode() + b"\n\nThe vault code is 4471\x00 and the door opens at noon.\n")
    with pytest.raises(LoaderError, match="NUL character"):
        decode_text(codecs.BOM_UTF16_LE + "a\0b".encode("utf-16-le"))


def test_bad_bytes_in_the_named_encoding_refuse_the_file() -> None:
    with pytest.raises(LoaderError, match="not UTF-16 text"):
        decode_text(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone high surrogate
    with pytest.raises(LoaderError, match=r"not UTF-8 text \(invalid byte at offset 3\)"):
        decode_text(b"caf\xe9")


def test_control_characters_become_spaces_and_offsets_stay() -> None:
    raw = "a\x1b[31mred\x1b[0m\tb\x07c\x7fd\x85e\u202eevil\u202c\r\n\ff\vg\n"
    text = decode_text(raw.encode())
    assert text == "a [31mred [0m\tb c d e evil \r\n\ff g\n"
    assert len(text) == len(raw)
    assert strip_controls("plain\ttext\n") == "plain\ttext\n"


def test_scrub_document_keeps_display_runs_valid() -> None:
    text = "**Bold**\x01 text\x00 here."
    display = "Bold\x01 text\x00 here."
    block = Block(PARAGRAPH, 0, len(text), display=display, runs=((0, 2, 4), (4, 8, len(text) - 8)), context="T\x02")
    doc = scrub_document(Document("d.md", text, [block], title="x\x1b"))
    assert doc.text == "**Bold**  text  here."
    assert doc.blocks[0].display == "Bold  text  here."
    assert doc.blocks[0].context == "T " and doc.title == "x "
    doc.blocks[0].check(doc.text)


def test_load_folder_reads_utf16_refuses_late_nul_and_scrubs_controls(tmp_path: Path) -> None:
    (tmp_path / "u16.txt").write_bytes(PROSE.encode("utf-16"))  # with its BOM
    (tmp_path / "nul.txt").write_bytes(FILLER.encode() + b"\n\nThe vault code is 4471\x00.\n")
    (tmp_path / "esc.md").write_bytes(b"# Title\n\nColoured \x1b[1moutput\x1b[0m here.\n")
    result = load_folder(tmp_path)
    docs = {d.source: d for d in result.documents}
    assert set(docs) == {"u16.txt", "esc.md"}
    assert docs["u16.txt"].text == PROSE
    assert "\x1b" not in docs["esc.md"].text and "Coloured  [1moutput [0m here." in docs["esc.md"].text
    assert [(s.path, s.reason.split(" (")[0]) for s in result.skipped] == [("nul.txt", "binary file")]
