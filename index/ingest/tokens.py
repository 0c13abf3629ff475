"""The build's pass that stores the units' token states (``index.storage.tokens``).

Each distinct display text is run through the model alone, exactly as ask time would run it
(``Embedder.token_states`` of one text: no padding; the int8 model's activation ranges depend on the
whole batch, so states taken from the padded embedding batches would differ from those the answer
ranker was fit on). Texts whose states the previous generation stored are reused. The runs are
spread over ``batch_threads`` threads (onnxruntime releases the GIL), one single-threaded session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from index.ingest.progress import Progress, Silent
from index.models.embeddings import Embedder, Tokens
from index.storage.store import ReusableVectors
from index.storage.tokens import StoredTokens

log = logging.getLogger("citebot.build")


def token_budget(embedder: Embedder, displays: Sequence[str]) -> int:
    """Word pieces the stored states of these texts would hold (each distinct text once, as truncated)."""
    cap = int(getattr(embedder, "max_seq_length", 512)) - 2
    return sum(min(cap, n) for n in embedder.count_tokens(list(dict.fromkeys(displays))))


def unit_token_states(
    embedder: Embedder,
    displays: Sequence[str],
    max_tokens: int,
    previous: ReusableVectors | None = None,
    progress: Progress | None = None,
) -> StoredTokens | None:
    """The token states of every unit (``displays[i]`` is unit i's display text), or None when the corpus
    holds more than ``max_tokens`` word pieces (0: never store them)."""
    if max_tokens <= 0 or not displays:
        return None
    budget = token_budget(embedder, displays)
    if budget > max_tokens:
        log.info("token states not stored: %d word pieces > token_states_max_tokens %d", budget, max_tokens)
        return None
    progress = progress or Silent()
    states: dict[str, Tokens] = {}
    if previous is not None and previous.tokens is not None and len(previous.displays) == len(previous.tokens):
        wanted = set(displays)
        for i, text in enumerate(previous.displays):
            if text in wanted and text not in states:
                states[text] = previous.tokens.get(i)
    todo = [t for t in dict.fromkeys(displays) if t not in states]
    progress.stage("token states", len(todo))
    if todo:
        threads = max(1, int(getattr(embedder, "batch_threads", lambda: 1)()))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for text, (tokens,) in zip(todo, pool.map(lambda t: embedder.token_states([t]), todo), strict=True):
                states[text] = tokens
                progress.advance(1)
    return StoredTokens.from_states([states[t] for t in displays], embedder.dim)
