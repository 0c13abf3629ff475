"""Duplicate collapsing: the same text is indexed once, but two different facts are never merged."""

from __future__ import annotations

import pytest

from index.ingest.chunking import chunk_documents
from index.models.dedup import Deduper, carries_fact, normalize, similar
from index.models.documents import Document
from tests.conftest import FakeEmbedder

# (earlier sentence, later sentence): near-duplicates by word overlap (ratio >= 0.85), different facts
DIFFERENT_FACTS = [
    ("Patients recovering from the procedure should take ibuprofen twice a day for pain.",
     "Patients recovering from the procedure should not take ibuprofen twice a day for pain."),
    ("Patients recovering from the procedure should take ibuprofen twice a day for pain.",
     "Patients recovering from the procedure shouldn't take ibuprofen twice a day for pain."),
    ("The registration fee for the spring workshop in Lyon is 120 euros per person.",
     "The registration fee for the spring workshop in Lyon is 150 euros per person."),
    ("The registration fee for the workshop in the city of Lyon is 120 euros per person.",
     "The registration fee for the workshop in the city of Paris is 120 euros per person."),
    ("The registration fee for the workshop in the city is one hundred euros per person.",
     "The registration fee for the workshop in the city is two hundred euros per person."),
    ("The office of the foundation will be closed for the holidays from the 3rd of May onwards.",
     "The office of the foundation will be closed for the holidays from the 3rd of June onwards."),
    ("The office of the foundation will be closed for the holidays on Monday and all next week.",
     "The office of the foundation will be closed for the holidays on Friday and all next week."),
    ("Every member of the board must sign the yearly report before it is sent to the auditors.",
     "Every member of the board may sign the yearly report before it is sent to the auditors."),
    ("Every member of the board must sign the yearly report before it is sent to the auditors.",
     "Every member of the board must sign the yearly report after it is sent to the auditors."),
    ("Running the migration script on the production database with these options is safe.",
     "Running the migration script on the production database with these options is unsafe."),
    ("Set the connection pool size of the worker to at most 1,000 open connections per host.",
     "Set the connection pool size of the worker to at most 1.000 open connections per host."),
    ("When the request fails the client retries it with the max_retries value from the config.",
     "When the request fails the client retries it with the max_redirects value from the config."),
    ("The background sync feature of the desktop client is enabled by default for new users.",
     "The background sync feature of the desktop client is disabled by default for new users."),
    ("Requests time out after the read timeout has elapsed, if x > 5 for the current session.",
     "Requests time out after the read timeout has elapsed, if x < 5 for the current session."),
]

SAME_TEXT = [
    ("He said he ‘didn’t think twice’ about the danger on the ledge.",
     "He said he 'didn't think twice' about the danger on the ledge."),
    ("The caretaker   helped save two babies\nfrom the sixth floor.",
     "The caretaker helped save two babies from the sixth floor."),
    ("The caretaker helped save two babies from the sixth floor.",
     "the caretaker helped save two babies from the sixth floor"),
    # a near-duplicate that differs in plain words only (the seed's second caption)
    ("Footage shows him standing next to the window filled with black smoke, signaling to those "
     "inside to pass their children to him.",
     "Footage shows him standing next to reaching into the building filled with black smoke, "
     "signaling to those inside to pass their children to him"),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_FACTS)
def test_different_facts_are_never_collapsed(first: str, second: str) -> None:
    d = Deduper()
    assert d.seen(first, 1) is None
    assert d.seen(second, 2) is None
    assert not similar(first, second)


@pytest.mark.parametrize(("first", "second"), SAME_TEXT)
def test_the_same_text_is_collapsed(first: str, second: str) -> None:
    d = Deduper()
    assert d.seen(first, 1) is None
    assert d.seen(second, 2) == 1
    assert similar(first, second)


def test_opposite_facts_in_two_documents_are_both_indexed(fake_embedder: FakeEmbedder) -> None:
    """Issue 14 item 3: across documents, the "not" sentence was collapsed into the other one."""
    take, not_take = DIFFERENT_FACTS[0]
    fee_120, fee_150 = DIFFERENT_FACTS[2]
    docs = [
        Document("a.txt", f"Guidance for adults after the procedure.\n\n{take}\n\n{fee_120}\n"),
        Document("b.txt", f"Guidance for kidney patients after the procedure.\n\n{not_take}\n\n{fee_150}\n"),
    ]
    corpus = chunk_documents(docs, fake_embedder)
    texts = [docs[s.doc].text[s.start : s.end] for s in corpus.units]
    assert corpus.duplicates == 0
    for sentence in (take, not_take, fee_120, fee_150):
        assert sentence in texts


def test_normalize_folds_quotes_and_spacing_only() -> None:
    assert normalize("  ‘a’ “b”\t\n c ") == "'a' \"b\" c"
    assert normalize("x > 5") != normalize("x < 5")


@pytest.mark.parametrize("token", ["not", "never", "didn’t", "12", "1.5", "twice", "May", "monday",
                                   "Lyon", "API", "max_retries", "must", "disabled", "%", "<"])
def test_tokens_that_carry_a_fact(token: str) -> None:
    assert carries_fact(token)


@pytest.mark.parametrize("token", ["the", "window", "building", "reaching", "into", ",", ".", "'"])
def test_tokens_that_do_not(token: str) -> None:
    assert not carries_fact(token)
