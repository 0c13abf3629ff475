import numpy as np

from index.models.embeddings import Tokens
from index.models.ranker import LinearRanker
from index.query.features import FeatureRows, weights
from index.query.quotes import SENTENCE_FEATURES
from index.query.records import DOC_FEATURES, Candidate, DocRanking, QuoteParams
from index.query.refine import ANSWER_FEATURES, TOKEN_FEATURES, answer_rows, content_mask, refine, token_match


def unit(*rows: list[float]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def test_token_match() -> None:
    q = Tokens(["storm", "what"], unit([1, 0, 0], [0, 1, 0]))
    covers = Tokens(["storm", "what", "fleet"], unit([1, 0, 0], [0, 1, 0], [0, 0, 1]))  # plus one new token
    half = Tokens(["storm", "storm"], unit([1, 0, 0], [1, 0, 0]))
    r, p, f, new, cr, cmin, cp, cnew = token_match(q, covers)
    assert np.isclose(r, 1.0) and np.isclose(p, 2 / 3) and np.isclose(f, 0.8) and np.isclose(new, 1 / 3)
    assert np.isclose(cr, 1.0) and np.isclose(cmin, 1.0)  # "what" is no content piece
    assert np.isclose(cp, 0.5) and np.isclose(cnew, 0.5)  # content of the sentence: storm, fleet
    r2, p2, _, new2, cr2, *_ = token_match(q, half)
    assert np.isclose(r2, 0.5) and np.isclose(p2, 1.0) and new2 == 0.0 and np.isclose(cr2, 1.0)
    assert token_match(q, Tokens([], np.zeros((0, 3)))) == [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def test_content_mask() -> None:
    assert content_mask(["what", "is", "the", "storm", "##s", "?"]).tolist() == [False] * 3 + [True, True, False]
    assert content_mask(["what", "?"]).tolist() == [True, True]  # nothing but function words: keep all


TEXTS = {0: "alpha beta", 1: "gamma delta", 2: "alpha gamma", 3: "beta"}


def states(texts: list[str]) -> list[Tokens]:
    vocab = ["alpha", "beta", "gamma", "delta", "what"]
    out = []
    for t in texts:
        words = t.replace("?", "").split()
        out.append(Tokens(words, np.stack([np.eye(len(vocab))[vocab.index(w)] for w in words])))
    return out


def cands() -> list[Candidate]:
    return [Candidate(i, p, 0.0, 0.0, 0.0, 0, row) for row, (i, p) in enumerate([(1, 0.5), (0, 0.3), (2, 0.15), (3, 0.05)])]


SENTENCE_ROWS = FeatureRows(SENTENCE_FEATURES, np.zeros((4, len(SENTENCE_FEATURES))))


def docs() -> DocRanking:
    features = FeatureRows(DOC_FEATURES, np.zeros((2, len(DOC_FEATURES))))
    return DocRanking(np.array([7, 8]), np.array([0.0, -1.0]), features, np.zeros(2), np.zeros(2))


def docs_of(mapping: dict[int, int]):  # noqa: ANN201
    return lambda ids: np.array([mapping[int(i)] for i in ids], dtype=np.int64)


def test_answer_rows_carry_token_and_document_features() -> None:
    x = answer_rows("what alpha beta?", cands()[:2], SENTENCE_ROWS, TEXTS.__getitem__, states, docs(),
                    docs_of({0: 7, 1: 8}))
    assert x.names == ANSWER_FEATURES and len(x) == 2
    recall = x.column("token_recall")
    assert recall[1] > recall[0]  # "alpha beta" covers the question, "gamma delta" does not
    assert x.column("reranked_doc_top").tolist() == [0.0, 1.0]
    assert x.column("reranked_doc_gap").tolist() == [-1.0, 0.0]


def test_refine_reorders_the_top_and_keeps_the_tail_and_the_mass() -> None:
    w = weights(ANSWER_FEATURES, **{TOKEN_FEATURES[0]: 10.0})
    rows = answer_rows("what alpha beta?", cands()[:3], SENTENCE_ROWS, TEXTS.__getitem__, states, docs(),
                       docs_of({0: 7, 1: 8, 2: 7}))
    out = refine(cands(), rows, QuoteParams(), LinearRanker("t", ANSWER_FEATURES, w))
    assert out[0].unit == 0  # best token recall among the top 3
    assert out[3].unit == 3 and out[3].score == 0.05  # beyond the top 3: unchanged
    assert np.isclose(sum(c.score for c in out[:3]), 0.95)
    assert refine(cands(), rows.take([0]), QuoteParams()) == cands()  # one candidate: nothing to reorder
