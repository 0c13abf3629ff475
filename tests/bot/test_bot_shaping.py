"""bot.shaping: limiting to a source, not repeating quotes, and keeping the next candidates."""

from __future__ import annotations

from bot.shaping import in_source, shape, span
from index.query.answer import Answer, Citation, Passage


def cite(source: str, start: int, score: float = 0.5) -> Citation:
    return Citation(f"quote {source} {start}", source, 1, start, start + 10, score)


RAW = Answer(
    "q?",
    False,
    [cite("docs/a.md", 0), cite("docs/sub/b.md", 0), cite("other.md", 0), cite("docs/a.md", 50), cite("docs/c.md", 5)],
    [Passage("p", "docs/a.md", 0, 40, 0.9), Passage("p", "other.md", 0, 40, 0.8), Passage("p", "docs/c.md", 0, 9, 0.7)],
)


def test_shown_and_next():
    answer, more = shape(RAW, question="Q", shown=3, passages=5)
    assert answer.question == "Q" and [c.source for c in answer.citations] == ["docs/a.md", "docs/sub/b.md", "other.md"]
    assert [span(c) for c in more] == [("docs/a.md", 50, 60), ("docs/c.md", 5, 15)]
    assert len(answer.passages) == 3


def test_limited_to_a_document_or_a_folder():
    answer, more = shape(RAW, question="Q", shown=2, passages=5, source="docs/")
    assert [c.source for c in answer.citations] == ["docs/a.md", "docs/sub/b.md"]
    assert [c.source for c in more] == ["docs/a.md", "docs/c.md"]
    assert {p.source for p in answer.passages} == {"docs/a.md", "docs/c.md"}
    answer, _ = shape(RAW, question="Q", shown=3, passages=5, source="docs/a.md")
    assert {c.source for c in answer.citations} == {"docs/a.md"}
    assert in_source("docs/ab.md", "docs/a") is False  # a folder is a whole path segment


def test_quotes_already_shown_are_not_repeated():
    answer, more = shape(RAW, question="Q", shown=2, passages=5, exclude=[("docs/a.md", 5, 8), ("other.md", 0, 10)])
    assert [span(c) for c in answer.citations] == [("docs/sub/b.md", 0, 10), ("docs/a.md", 50, 60)]
    assert [span(c) for c in more] == [("docs/c.md", 5, 15)]


def test_nothing_left_abstains_with_the_passages():
    answer, more = shape(RAW, question="Q", shown=3, passages=5, source="nowhere/")
    assert answer.abstained and answer.citations == [] and answer.passages == [] and more == []
    answer, _ = shape(Answer("q", True, [], RAW.passages), question="Q", shown=3, passages=2)
    assert answer.abstained and len(answer.passages) == 2
