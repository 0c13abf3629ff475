from index.ingest.sentences import guess_wrapped, split_block
from index.ingest.units import document_units
from index.models.documents import PARAGRAPH, Block, Document
from tests.conftest import SEEDS


def spans(text: str, wrapped: bool | None = None) -> list[str]:
    return [text[s:e] for s, e in split_block(text, Block(PARAGRAPH, 0, len(text), wrapped=wrapped))]


def test_quotations_stay_whole_and_lines_end_sentences() -> None:
    text = (
        "Taking to X (formerly Twitter), Rémi Féraud, a senator, wrote: ‘Impressive courage that saved lives. "
        "Fousseynou Cissé is a hero.’\nFrench MEP Matthieu Valet wrote: ‘Facing death, he saved Naomie.\n"
        "‘Without a weapon. Without a helmet.’"
    )
    out = spans(text)
    assert out == [
        "Taking to X (formerly Twitter), Rémi Féraud, a senator, wrote: ‘Impressive courage that saved lives. "
        "Fousseynou Cissé is a hero.’",
        "French MEP Matthieu Valet wrote: ‘Facing death, he saved Naomie.",
        "‘Without a weapon. Without a helmet.’",
    ]


def test_apostrophes_do_not_close_quotations() -> None:
    text = "He said he ‘didn’t think twice’ about it. The building’s window broke. Then it ended."
    assert spans(text) == [
        "He said he ‘didn’t think twice’ about it.",
        "The building’s window broke.",
        "Then it ended.",
    ]


def test_abbreviations_initials_and_decimals() -> None:
    text = "Dr. Smith et al. found p < 0.05 in Fig. 2. J. Doe agreed! Is it true? Yes."
    assert spans(text) == ["Dr. Smith et al. found p < 0.05 in Fig. 2.", "J. Doe agreed!", "Is it true?", "Yes."]


def test_wrapped_paragraphs_join_lines() -> None:
    text = "This sentence is wrapped\nover two lines. And this one\ncontinues here."
    assert guess_wrapped(text)
    assert spans(text) == ["This sentence is wrapped\nover two lines.", "And this one\ncontinues here."]
    assert not guess_wrapped("One line.\nAnother line.\nA third")


def test_long_quotation_is_split_at_its_own_sentence_ends() -> None:
    inner = " ".join(f"Sentence number {i} is here." for i in range(40))
    text = f"He said: “{inner}” Then he left."
    out = spans(text)
    assert len(out) > 10
    assert all(len(s) < 450 for s in out)


def test_every_sentence_of_the_seed_is_a_verbatim_trimmed_slice() -> None:
    text = (SEEDS / "paris-fire-rescue.txt").read_text(encoding="utf-8")
    doc = Document("paris-fire-rescue.txt", text)
    out = [(u.start, u.end, u.block) for u in document_units(doc)]
    assert len(out) == 16
    for start, end, _ in out:
        piece = text[start:end]
        assert piece == piece.strip() and piece
        assert "\n" not in piece  # the article is one paragraph a line
    starts = [s for s, _, _ in out]
    assert starts == sorted(starts)


def test_a_period_inside_inline_code_ends_no_sentence() -> None:
    text = "Run it. `FAIL Required test coverage of 100% not reached. Total coverage: 99.00%` Then fix. Use `a`. Next."
    spans = split_block(text, Block(PARAGRAPH, 0, len(text), wrapped=True))
    assert [text[s:e] for s, e in spans] == [
        "Run it. `FAIL Required test coverage of 100% not reached. Total coverage: 99.00%` Then fix.",
        "Use `a`.",
        "Next.",
    ]
