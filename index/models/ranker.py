"""Linear rankers learned on the tuning splits: a weight per named feature, nothing else.

A ranker file (``index/models/rankers/<name>.json``, written by ``python -m index.evaluation.fit``) holds
the feature names it was fit on, their weights (on raw feature values), and where it came from.
Loading checks the names against the code's feature list, so a stale file fails loudly instead
of scoring the wrong columns. Scores are logits of a softmax over one question's candidates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import CitebotError

RANKERS = Path(__file__).with_name("rankers")


class RankerMismatch(CitebotError):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"ranker {name!r} does not fit this code ({detail}); refit it: python -m index.evaluation.fit")


@dataclass(frozen=True)
class LinearRanker:
    name: str
    features: tuple[str, ...]
    weights: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.features)) != len(self.features) or len(self.features) != len(self.weights):
            raise ValueError(f"ranker {self.name!r}: feature names must be unique, one weight each")

    def score(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.weights

    def score_rows(self, rows: Any) -> np.ndarray:
        """Scores of named feature rows (``index.query.features.FeatureRows``), refused unless their
        names are this ranker's features in its order."""
        if tuple(rows.names) != self.features:
            missing = sorted(set(self.features) ^ set(rows.names))
            raise RankerMismatch(self.name, f"rows have other features: {', '.join(missing) or 'order'}")
        return self.score(rows.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weights": {f: round(float(w), 6) for f, w in zip(self.features, self.weights, strict=True)},
            "provenance": self.provenance,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path, expected: tuple[str, ...]) -> LinearRanker:
        name = path.stem
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            weights = raw["weights"]
        except (OSError, ValueError, KeyError) as exc:
            raise RankerMismatch(name, f"unreadable: {exc.__class__.__name__}") from None
        if tuple(weights) != tuple(expected):
            missing = sorted(set(expected) - set(weights)) or sorted(set(weights) - set(expected))
            raise RankerMismatch(name, f"features differ: {', '.join(missing) or 'order'}")
        return cls(name, tuple(expected), np.array([float(weights[f]) for f in expected]), raw.get("provenance", {}))


def softmax(scores: np.ndarray) -> np.ndarray:
    if not len(scores):
        return scores
    e = np.exp(scores - scores.max())
    return e / e.sum()


@cache
def packaged(name: str, expected: tuple[str, ...]) -> LinearRanker:
    """The ranker shipped with citebot (``index/models/rankers/<name>.json``)."""
    return LinearRanker.read(RANKERS / f"{name}.json", expected)
