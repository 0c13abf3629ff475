"""The query path as explicit stages over one ``QueryState`` (``index.query.state``).

    retrieve → rank documents → candidate units → code after prose → rank → rerank documents* → refine* → pointer last*
    → symptom first* → reason first* → default first* → named code first → spans → answer
    (* questions only: claims and keywords keep the first-stage order and the sentence ranker's pick;
    the last four are rules over the ranked candidates: ``index.query.pointers``, ``.symptoms``, ``.reasons``,
    ``.defaults``)

``FIRST_STAGE`` is what the ranker fit collects features from, ``RETRIEVE`` what the eval scores,
``ASK`` what ``citebot ask`` and the bot answer with: one implementation for all three.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.query.code_after import code_after_prose
from index.query.defaults import default_first
from index.query.named_code import named_code_first
from index.query.pointers import pointer_last
from index.query.quotes import candidate_units, rank_units
from index.query.reasons import reason_first
from index.query.refine import refine_candidates
from index.query.rerank import rerank_documents
from index.query.retrieval import rank_first_stage, retrieve
from index.query.spans import answer, choose_spans
from index.query.state import Context, QueryState
from index.query.symptoms import symptom_first

Stage = Callable[[Context, QueryState], None]

FIRST_STAGE: tuple[Stage, ...] = (retrieve, rank_first_stage, candidate_units)
RETRIEVE: tuple[Stage, ...] = (*FIRST_STAGE, code_after_prose, rank_units, rerank_documents, refine_candidates, pointer_last, symptom_first,
                                reason_first, default_first, named_code_first)
ASK: tuple[Stage, ...] = (*RETRIEVE, choose_spans, answer)
ANSWER: tuple[Stage, ...] = (choose_spans, answer)  # after RETRIEVE


def run(ctx: Context, state: QueryState, stages: Sequence[Stage]) -> QueryState:
    for stage in stages:
        stage(ctx, state)
    return state
