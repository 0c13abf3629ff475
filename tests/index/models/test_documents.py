import pytest

from index.models.documents import CODE, PARAGRAPH, Block, DisplayBuilder, Document


def _rendered(text: str, copies: list[tuple[int, int]], adds: dict[int, str] | None = None) -> Block:
    b = DisplayBuilder(text)
    for i, (s, e) in enumerate(copies):
        if adds and i in adds:
            b.add(adds[i])
        b.copy(s, e)
    display, runs = b.build()
    block = Block(PARAGRAPH, 0, len(text), display=display, runs=runs)
    block.check(text)
    return block


TEXT = "Use **Typer** now. See [the docs](https://x.y/z). Done"
# display: "Use Typer now. See the docs. Done"
BLOCK = _rendered(TEXT, [(0, 4), (6, 11), (13, 23), (24, 32), (48, len(TEXT))])


@pytest.mark.parametrize(
    ("shown", "quoted"),
    [
        ("Use Typer now.", "Use **Typer** now."),
        ("See the docs.", "See [the docs](https://x.y/z)."),
        ("Typer", "**Typer**"),
        ("the docs", "[the docs](https://x.y/z)"),
        ("Done", "Done"),
    ],
)
def test_source_span_widens_over_glued_markup(shown: str, quoted: str) -> None:
    assert BLOCK.display_text(TEXT) == "Use Typer now. See the docs. Done"
    i = BLOCK.display.index(shown)
    start, end = BLOCK.source_span(i, i + len(shown), TEXT)
    assert TEXT[start:end] == quoted


def test_identity_block_maps_one_to_one() -> None:
    text = "x = 1\nprint(x)\n"
    block = Block(CODE, 0, len(text) - 1, language="python")
    assert block.display_text(text) == "x = 1\nprint(x)"
    assert block.source_span(4, 5, text) == (4, 5)
    assert block.source_offset(6) == 6


def test_synthesized_characters_map_to_nothing() -> None:
    text = "one\n   two"
    block = _rendered(text, [(0, 3), (7, 10)], adds={1: " "})
    assert block.display == "one two"
    assert block.source_offset(3) is None
    assert block.source_span(0, 7, text) == (0, 10)


def test_check_rejects_runs_that_do_not_copy_the_source() -> None:
    with pytest.raises(ValueError, match="does not copy"):
        Document("a.md", "abc def", [Block(PARAGRAPH, 0, 7, display="abc xyz", runs=((0, 0, 3), (4, 4, 3)))])
    with pytest.raises(ValueError, match="unknown block kind"):
        Document("a.md", "abc", [Block("sidebar", 0, 3)])
