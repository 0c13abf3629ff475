"""The learned rankers the package ships (``index/models/rankers/*.json``), each checked against the
feature names of the stage that scores with it."""

from __future__ import annotations

from index.query.quotes import sentence_ranker
from index.query.refine import answer_ranker
from index.query.rerank import document_ranker
from index.query.state import Rankers


def packaged() -> Rankers:
    return Rankers(sentence_ranker(), document_ranker(), answer_ranker())
