"""What quote selection knows of a unit besides its text, read once per unit through the ``Backend``.

* ``code`` — the unit is a code block; ``lead_in`` — prose ending in ":" right before a code block of
  the same document (the lead-in of an example);
* ``markup_sample`` — a code block of document markup or plain text (``code_languages.is_markup_sample``:
  ``md-render``, ``html``, ``text``), an example of what a renderer reads or writes, not a program;
* ``changelog`` — its document is a changelog or release notes (``DocRecord.role``);
* ``context_terms`` — the stemmed terms of its document's title and its heading path (the context of
  the block it is in), what a heading says about the sentences under it; ``context`` — that text, whose
  embedding (``ContextVectors``, made once per distinct context) gives a cosine that survives rewording;
* ``code_terms`` — for code, the stemmed words inside its identifiers (``ProxyRoundRobin`` → proxi,
  round, robin; ``event_hooks`` → event, hook), so "rotate proxies" meets ``class ProxyRoundRobin``.

Bounded cache, per process; a generation's records never change, so nothing goes stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.models.code_languages import is_markup_sample
from index.models.documents import CHANGELOG, CODE
from index.query.cues import identifier_words, states_default

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from index.storage.backend import Backend


@dataclass(frozen=True, slots=True)
class UnitFacts:
    code: bool = False
    lead_in: bool = False
    changelog: bool = False
    context_terms: frozenset[str] = frozenset()
    code_terms: frozenset[str] = frozenset()
    context: str = ""  # "<title> > <heading path>"
    markup_sample: bool = False


NO_FACTS = UnitFacts()


class UnitFactsCache:
    MAX = 200_000

    def __init__(self, backend: Backend, terms: Callable[[str], list[str]]) -> None:
        self.backend = backend
        self.terms = terms
        self._facts: dict[int, UnitFacts] = {}
        self._contexts: dict[tuple[int, int], tuple[str, frozenset[str]]] = {}
        self._changelogs: np.ndarray | None = None
        self._default_code: dict[int, list[int]] = {}  # document -> its default-configuration code units

    def __call__(self, i: int) -> UnitFacts:
        facts = self._facts.get(i)
        if facts is None:
            facts = self._read(i)
            if len(self._facts) < self.MAX:
                self._facts[i] = facts
        return facts

    def changelog_documents(self, ids: np.ndarray) -> np.ndarray:
        """Which of the documents ``ids`` are changelogs or release notes (bool per id)."""
        if self._changelogs is None:
            self._changelogs = np.array([d.role == CHANGELOG for d in self.backend.documents()], dtype=bool)
        ids = np.asarray(ids, dtype=np.int64)
        return self._changelogs[ids] if len(self._changelogs) else np.zeros(len(ids), dtype=bool)

    def default_code(self, docs: Sequence[int]) -> list[int]:
        """The code blocks of the documents ``docs`` that the docs present as the defaults: the lead-in
        right before one speaks of defaults ("Using the defaults, as above, is equivalent to:"), or its
        heading path does ("Default configuration"). Read per document, once (a question looks at its
        best few documents, so a remote corpus of millions of units is never walked whole), in order."""
        b, found = self.backend, []
        todo = [int(d) for d in docs if int(d) not in self._default_code]
        if todo:
            starts, ends = b.document_units(np.asarray(todo, dtype=np.int64))
            for d, lo, hi in zip(todo, starts.tolist(), ends.tolist(), strict=True):
                self._default_code[d] = [i for i in range(lo, hi) if self._presents_defaults(i)]
        for d in docs:
            found += self._default_code[int(d)]
        return found

    def _presents_defaults(self, i: int) -> bool:
        b = self.backend
        u = b.unit(i)
        if u.kind != CODE:
            return False
        prev = b.unit(i - 1) if i > 0 else None
        lead = prev is not None and prev.doc == u.doc and prev.kind != CODE and \
            prev.display.rstrip().endswith(":") and states_default(prev.display)
        return lead or states_default(self(i).context)

    def _read(self, i: int) -> UnitFacts:
        b = self.backend
        if not 0 <= i < b.n_units:
            return NO_FACTS
        u = b.unit(i)
        doc = b.document(u.doc)
        code = u.kind == CODE
        lead_in = False
        if not code and u.display.rstrip().endswith(":") and i + 1 < b.n_units:
            nxt = b.unit(i + 1)
            lead_in = nxt.doc == u.doc and nxt.kind == CODE
        code_terms = frozenset(self.terms(" ".join(sorted(identifier_words(u.display))))) if code else frozenset()
        context, context_terms = self._context(u.doc, u.start, doc.title)
        sample = code and is_markup_sample(u.language)
        return UnitFacts(code, lead_in, doc.role == CHANGELOG, context_terms, code_terms, context, sample)

    def _context(self, d: int, start: int, title: str) -> tuple[str, frozenset[str]]:
        """The document title and the heading path of the block that holds ``start``, and their terms."""
        blocks = self.backend.document_blocks(d)
        j = int(np.searchsorted(blocks["start"], start, side="right")) - 1 if len(blocks) else -1
        ctx = int(blocks["context"][j]) if j >= 0 else 0
        key = (d, ctx)
        found = self._contexts.get(key)
        if found is None:
            _, contexts = self.backend.tables()
            path = contexts[ctx] if 0 <= ctx < len(contexts) else ""
            text = " > ".join(p for p in (title.strip(), path.strip()) if p and p != title.strip())
            found = (text, frozenset(self.terms(text)))
            if len(self._contexts) < self.MAX:
                self._contexts[key] = found
        return found


class ContextVectors:
    """Embeddings of context strings (a title and heading path), made once per distinct string."""

    MAX = 50_000

    def __init__(self, encode_many: Callable[[list[str]], np.ndarray]) -> None:
        self.encode_many = encode_many
        self._vectors: dict[str, np.ndarray] = {}

    def cosines(self, texts: list[str], q_vec: np.ndarray) -> list[float]:
        """The cosine of the question with each context (0 for an empty one)."""
        todo = [t for t in dict.fromkeys(texts) if t and t not in self._vectors]
        if todo:
            vecs = self.encode_many(todo)
            for t, v in zip(todo, vecs, strict=True):
                if len(self._vectors) < self.MAX:
                    self._vectors[t] = np.asarray(v, dtype=np.float32)
        q = np.asarray(q_vec, dtype=np.float32)
        out = []
        for t in texts:
            v = self._vectors.get(t) if t else None
            if v is None and t:
                v = np.asarray(self.encode_many([t])[0], dtype=np.float32)
            out.append(float(v @ q) if v is not None else 0.0)
        return out
