"""Where the refine stage gets token states from, cheapest first.

The answer ranker's token features (``index.query.refine``) need the contextual word-piece vectors of
the question and of its top candidates. A text's token states depend on the text alone (one unpadded
model run), so they are looked up by text:

1. the question: the vector pass that embedded it for retrieval kept its token states
   (``QuestionEncoder.recent_tokens``): one model run per question;
2. a unit's display text: the states the build stored in the generation (``index.storage.tokens``,
   read through the backend's optional ``unit_token_states``), within fp16 of the computed ones;
3. anything else (a corpus over ``token_states_max_tokens``, a backend that stores none, an older
   index): an in-process LRU of computed states (``UNITS_MAX`` texts), then the model for what is
   missing, in one call.

``TokenSource.token_states`` has the signature of ``Embedder.token_states``, so callers that pass a
``token_states`` function (``refine.answer_rows``) do not know which of these answered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from index.storage.backend import unit_token_states

if TYPE_CHECKING:
    from index.models.embeddings import Tokens
    from index.query.encoder import QuestionEncoder
    from index.storage.backend import Backend


class TokenSource:
    UNITS_MAX = 4096  # computed states kept in process (about 80 KB each for a 256-piece code block)

    def __init__(self, backend: Backend, encoder: QuestionEncoder) -> None:
        self.backend = backend
        self.encoder = encoder
        self._by_text: dict[str, int] | None = None  # display text -> a unit with stored states
        self._lru: OrderedDict[str, Tokens] = OrderedDict()
        self._lock = threading.Lock()
        self.stored = unit_token_states(backend, []) is not None  # does this generation store them

    def _units(self) -> dict[str, int]:
        if self._by_text is None:
            with self._lock:
                if self._by_text is None:
                    by_text: dict[str, int] = {}
                    for i in range(self.backend.n_units):
                        by_text.setdefault(self.backend.unit_display(i), i)
                    self._by_text = by_text
        return self._by_text

    def token_states(self, texts: list[str]) -> list[Tokens]:
        """Per text, its word pieces and their L2-normalized contextual vectors (``Embedder.token_states``)."""
        out: list[Tokens | None] = [self.encoder.recent_tokens(t) for t in texts]
        if self.stored:
            units = self._units()
            want = [(k, units[t]) for k, t in enumerate(texts) if out[k] is None and t in units]
            if want:
                found = unit_token_states(self.backend, [u for _, u in want]) or []
                for (k, _), tokens in zip(want, found, strict=False):
                    out[k] = tokens
        missing = []
        with self._lock:
            for k, t in enumerate(texts):
                if out[k] is None:
                    hit = self._lru.get(t)
                    if hit is None:
                        missing.append(k)
                    else:
                        self._lru.move_to_end(t)
                        out[k] = hit
        if missing:
            computed = self.encoder.token_states(list(dict.fromkeys(texts[k] for k in missing)))
            by_text = dict(zip(dict.fromkeys(texts[k] for k in missing), computed, strict=True))
            with self._lock:
                for t, tokens in by_text.items():
                    self._lru[t] = tokens
                    self._lru.move_to_end(t)
                while len(self._lru) > self.UNITS_MAX:
                    self._lru.popitem(last=False)
            for k in missing:
                out[k] = by_text[texts[k]]
        return out  # type: ignore[return-value]
