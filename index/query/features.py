"""Feature rows built and read by name: a matrix whose columns carry their names.

Rows are made from one mapping per row (``from_dicts``: every name exactly once, or it fails), read by
column name (``column``), cut to some rows (``take``) or widened with more named columns (``join``).
A ranker scores them only if their names are its features, in its order (``LinearRanker.score_rows``),
so a feature can never be read from the wrong column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeatureRows:
    names: tuple[str, ...]
    values: np.ndarray  # (rows, len(names)) float64

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"duplicate feature names in {self.names}")
        if self.values.ndim != 2 or self.values.shape[1] != len(self.names):
            raise ValueError(f"{self.values.shape} values for {len(self.names)} features")

    @classmethod
    def empty(cls, names: Sequence[str]) -> FeatureRows:
        return cls(tuple(names), np.zeros((0, len(names)), dtype=np.float64))

    @classmethod
    def from_dicts(cls, names: Sequence[str], rows: Sequence[Mapping[str, float]]) -> FeatureRows:
        names = tuple(names)
        wanted = set(names)
        for row in rows:
            if row.keys() != wanted:
                missing, extra = sorted(wanted - row.keys()), sorted(row.keys() - wanted)
                raise ValueError(f"feature row: missing {missing}, unknown {extra}")
        values = np.array([[row[n] for n in names] for row in rows], dtype=np.float64).reshape(len(rows), len(names))
        return cls(names, values)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[float] | np.ndarray], n: int | None = None) -> FeatureRows:
        names = tuple(columns)
        if not names:
            return cls((), np.zeros((n or 0, 0), dtype=np.float64))
        values = np.column_stack([np.asarray(columns[k], dtype=np.float64) for k in names])
        return cls(names, values)

    def __len__(self) -> int:
        return len(self.values)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.names.index(name)]

    def row(self, i: int) -> dict[str, float]:
        return dict(zip(self.names, self.values[i].tolist(), strict=True))

    def take(self, rows: Sequence[int] | np.ndarray) -> FeatureRows:
        return FeatureRows(self.names, self.values[np.asarray(rows, dtype=np.int64)].reshape(-1, len(self.names)))

    def join(self, other: FeatureRows) -> FeatureRows:
        """The same rows with ``other``'s columns after these."""
        if len(other) != len(self):
            raise ValueError(f"joining {len(other)} rows to {len(self)}")
        return FeatureRows(self.names + other.names, np.hstack([self.values, other.values]))

    def select(self, names: Sequence[str]) -> FeatureRows:
        idx = [self.names.index(n) for n in names]
        return FeatureRows(tuple(names), self.values[:, idx])


def weights(names: Sequence[str], **values: float) -> np.ndarray:
    """A weight vector over ``names``: the named ones set, the rest 0 (e.g. a single feature as a ranker)."""
    unknown = set(values) - set(names)
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}")
    return np.array([values.get(n, 0.0) for n in names], dtype=np.float64)
