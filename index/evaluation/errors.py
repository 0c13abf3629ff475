"""Errors of the eval suite (one line each on the command line)."""

from __future__ import annotations

from index.errors import CitebotError


class EvalError(CitebotError):
    """Base class of eval errors."""


class EvalDataError(EvalError):
    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"cannot read eval data {path}: {reason}")


class BadSplit(EvalError):
    def __init__(self, text: str) -> None:
        super().__init__(f"bad article range {text!r}: expected e.g. 24-47, 0-23 or 3,5,7-9")
