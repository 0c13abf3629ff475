from index.query.cues import cue_score, is_question, question_type
from index.query.quotes import pick, rank_candidates, sentence_rows
from index.query.records import QuoteParams


def select(question, q_terms, passages, sentences_of, text_of, terms_of, cos_of, idf, params):  # noqa: ANN001, ANN201
    """What the engine does with its index: feature rows of the passages' sentences, then the ranker."""
    rows, meta = sentence_rows(question, q_terms, passages[: params.passages], sentences_of, text_of, terms_of,
                               cos_of, idf)
    return rank_candidates(question, rows, meta, idf, params)


def test_question_types() -> None:
    assert question_type("how old is the caretaker?") == "age"
    assert question_type("How many people were hurt?") == "number"
    assert question_type("When did the fire start?") == "date"
    assert question_type("who praised him?") == "person"
    assert question_type("Where did it happen?") == "place"
    assert question_type("Why did he do it?") is None


def test_cues_need_something_the_question_does_not_already_say() -> None:
    assert cue_score("age", "Fousseynou Cissé, 39, said he did not think twice.", "how old is he?") == 1.0
    assert cue_score("age", "He helped a baby.", "how old is he?") == 0.0
    assert cue_score("date", "It happened on Friday.", "when did it happen?") == 1.0
    assert cue_score("person", "Rémi Féraud wrote a message.", "who wrote?") == 1.0
    assert cue_score("person", "Rémi Féraud wrote a message.", "what did Rémi Féraud write?") == 0.0
    assert cue_score(None, "anything", "why?") == 0.0


SENTENCES = {
    0: "The school caretaker rescued two children.",
    1: "Fousseynou Cissé, 39, stood on a ledge.",
    2: "Smoke filled the building.",
    3: "Fousseynou Cissé, 39, stood on a ledge!",  # a near-duplicate of 1
}


def run_select(question: str, cos: dict[int, float], terms: dict[int, list[str]]) -> list[int]:
    cands = select(
        question,
        ["caretak"],
        passages=[0],
        sentences_of=lambda c: range(0, 4),
        text_of=SENTENCES.__getitem__,
        terms_of=lambda i: terms.get(i, []),
        cos_of=cos.__getitem__,
        idf=lambda t: 1.0,
        params=QuoteParams(),
    )
    return [c.unit for c in cands]


def test_a_typed_question_favours_the_sentence_holding_the_answer_type() -> None:
    cos = {0: 0.35, 1: 0.10, 2: 0.05, 3: 0.10}
    terms = {0: ["caretak"]}

    def prob_of_age_sentence(question: str) -> float:
        cands = select(question, ["caretak"], [0], lambda c: range(0, 4), SENTENCES.__getitem__,
                       lambda i: terms.get(i, []), cos.__getitem__, lambda t: 1.0, QuoteParams())
        return sum(c.score for c in cands if c.unit in (1, 3))

    assert prob_of_age_sentence("how old is the caretaker?") > 2 * prob_of_age_sentence("what about the caretaker?")


def test_pick_skips_near_duplicates_and_weak_followers() -> None:
    cands = select("how old is the caretaker?", ["caretak"], [0], lambda c: range(0, 4), SENTENCES.__getitem__,
                   lambda i: [], {0: 0.3, 1: 0.5, 2: 0.0, 3: 0.49}.__getitem__, lambda t: 1.0, QuoteParams())
    chosen = pick(cands, SENTENCES.__getitem__, limit=3, keep_ratio=0.1)
    texts = [SENTENCES[c.unit] for c in chosen]
    assert sum(t.startswith("Fousseynou") for t in texts) == 1
    strict = pick(cands, SENTENCES.__getitem__, limit=3, keep_ratio=0.99)
    assert len(strict) == 1


def test_questions_and_statements() -> None:
    assert is_question("who praised him?")
    assert is_question("How old is the caretaker")
    assert is_question("in which city did the fire happen")
    assert not is_question("Vitamin D deficiency increases the risk of falls.")
    assert not is_question("caretaker age")


def test_the_answer_type_constraint_demotes_sentences_without_an_age() -> None:
    cos = {0: 0.60, 1: 0.10, 2: 0.05, 3: 0.10}
    terms = {0: ["caretak"]}
    plain = select("how old is the caretaker?", ["caretak"], [0], lambda c: range(0, 4), SENTENCES.__getitem__,
                   lambda i: terms.get(i, []), cos.__getitem__, lambda t: 1.0, QuoteParams(type_strong=0.0))
    typed = select("how old is the caretaker?", ["caretak"], [0], lambda c: range(0, 4), SENTENCES.__getitem__,
                   lambda i: terms.get(i, []), cos.__getitem__, lambda t: 1.0, QuoteParams(type_strong=20.0))
    assert typed[0].unit in (1, 3)
    assert abs(sum(c.score for c in plain) - 1.0) < 1e-9  # probabilities over the candidates
    assert {c.unit for c in plain} == {0, 1, 2, 3}


def test_pick_spans_falls_back_to_a_span_that_overlaps_no_chosen_quote() -> None:
    from index.query.extend import Part, Span
    from index.query.quotes import pick_spans
    from index.query.records import Candidate

    def span(*units: int) -> Span:
        return Span(tuple(Part(u, "paragraph", "", 10 * u, 10 * u + 9, u, u, f"s{u}", 0) for u in units), doc=0)

    options = {0: (span(0, 1),), 2: (span(1, 2), span(2)), 1: (span(1),)}
    cands = [Candidate(u, s, 0.0, 0.0, 0.0) for u, s in ((0, 0.5), (2, 0.3), (1, 0.2))]
    picked = pick_spans(cands, lambda u: f"sentence number {u} of the page", 3, 0.01, options.__getitem__)
    # unit 2 quotes itself alone (its neighbour is in the best quote); unit 1 is inside the best quote
    assert [(c.unit, s.units) for c, s in picked] == [(0, (0, 1)), (2, (2,))]
