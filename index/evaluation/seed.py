"""The project's own eval sets: questions about ``seeds/`` in the docsqa format (``index.evaluation.qa``).

* ``tests/eval/seed.jsonl``: the gated set (answerable questions and off-topic ones to abstain on);
  "who praised him?" uses the ``all_of`` extension: both names must be in the answer's quotes.
* ``tests/eval/seed_hard.jsonl``: questions that need coreference or synonyms, reported beside the
  gated set by ``citebot eval``, never gated.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_SET = Path("tests/eval/seed.jsonl")
HARD_SET = "seed_hard.jsonl"


def default_set() -> Path:
    """``tests/eval/seed.jsonl`` of the working directory, else of the source checkout."""
    if DEFAULT_SET.is_file():
        return DEFAULT_SET
    return Path(__file__).resolve().parents[2] / DEFAULT_SET


def hard_set() -> Path:
    """``tests/eval/seed_hard.jsonl``, beside the default set."""
    return default_set().with_name(HARD_SET)
