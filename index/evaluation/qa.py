"""Docs-QA eval: questions with the verbatim strings a correct quote holds, over a folder of docs.

One JSON object per line, the docsqa format (``../shared/data/docsqa/*/README.md``)::

    {"q": "how do I stream a big download?", "any": ["For large downloads"],
     "file": "docs/quickstart.md", "kind": "howto", "abstain": false}

* ``q``: the question as a user types it;
* ``any``: verbatim substrings of the docs, alternatives: a correct first quote contains one;
* ``file``: where they come from (diagnosis only, never scored); ``null`` when unanswerable;
* ``kind``: any label (docsqa uses ``howto``, ``factual``, ``why``, ``code``, ``unanswerable``),
  reported per kind; ``code`` questions are also checked for an answer that *is* code;
* ``abstain``: the docs do not answer it, the right answer is to abstain.

One extension, ignored by a plain docsqa scorer: ``all_of`` (strings that must *all* appear
somewhere in the answer's quotes, e.g. "who praised him?" needs both names). Unknown fields are
ignored, so a file can carry notes.

Scoring, as the docsqa READMEs say: whitespace runs are collapsed on both sides, then a plain
case-sensitive substring test against a citation's quote (and its display text, when citations
have one). answer@k: the answer did not abstain and one of its first k citations holds an ``any``
string (and every ``all_of`` string is somewhere in its citations). passage@5: one of the first
5 passages holds one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from index.evaluation.errors import EvalDataError
from index.evaluation.metrics import percentile

UNANSWERABLE = "unanswerable"
CODE = "code"
PASSAGES = 5  # passage@5
NOT_MEASURABLE_CODE = "code questions answered with code: not measurable yet (citations carry no kind)"


@dataclass(frozen=True)
class QAQuestion:
    question: str
    any: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    file: str | None = None
    kind: str = "answerable"
    abstain: bool = False

    @property
    def expected(self) -> tuple[str, ...]:
        """Every string that makes a citation count: ``any`` and then ``all_of``."""
        return tuple(dict.fromkeys(self.any + self.all_of))


# -- reading a question file ---------------------------------------------------------------------


def _strings(rec: dict, key: str) -> tuple[str, ...]:
    value = rec.get(key) or []
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise TypeError(key)
    return tuple(value)


def parse_question(rec: Any) -> QAQuestion:
    """One line of a question file; ValueError with the reason when it is not one."""
    if not isinstance(rec, dict):
        raise ValueError("expected a JSON object")
    question = rec.get("q", rec.get("question"))
    if not isinstance(question, str) or not question.strip():
        raise ValueError('no question ("q")')
    try:
        any_, all_of = _strings(rec, "any"), _strings(rec, "all_of")
    except TypeError as exc:
        raise ValueError(f'"{exc}" must be a list of strings') from None
    kind = rec.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise ValueError('"kind" must be a string')
    abstain = rec.get("abstain", kind == UNANSWERABLE)
    if not isinstance(abstain, bool):
        raise ValueError('"abstain" must be true or false')
    if abstain and (any_ or all_of):
        raise ValueError("a question to abstain on has no expected strings")
    if not abstain and not (any_ or all_of):
        raise ValueError('an answerable question needs "any" (or "all_of") strings')
    if any(not normalize(s) for s in any_ + all_of):
        raise ValueError("an expected string is empty")
    file = rec.get("file")
    return QAQuestion(
        question=question,
        any=any_,
        all_of=all_of,
        file=file if isinstance(file, str) else None,
        kind=kind or (UNANSWERABLE if abstain else "answerable"),
        abstain=abstain,
    )


def load_questions(path: Path) -> list[QAQuestion]:
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(path, "no such file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise EvalDataError(path, "not UTF-8 text") from None
    out: list[QAQuestion] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(parse_question(json.loads(line)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            reason = "not JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise EvalDataError(path, f"line {number}: {reason}") from None
    if not out:
        raise EvalDataError(path, "no questions")
    return out


# -- scoring -------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped (both sides of every test)."""
    return " ".join(text.split())


def texts_of(item: Any) -> list[str]:
    """What a citation or passage is matched on: its quote / text, and its display text if any."""
    main = getattr(item, "quote", None)
    if main is None:
        main = getattr(item, "text", "")
    out = [normalize(main)]
    display = getattr(item, "display", None)
    if isinstance(display, str) and display:
        out.append(normalize(display))
    return out


def holds(item: Any, wanted: Iterable[str]) -> bool:
    texts = texts_of(item)
    return any(normalize(s) in t for s in wanted for t in texts)


def hit_at(q: QAQuestion, citations: Sequence[Any], k: int) -> bool:
    """answer@k for one answer's citations (an abstention has none)."""
    if not citations or not any(holds(c, q.expected) for c in citations[:k]):
        return False
    return all(any(holds(c, (s,)) for c in citations) for s in q.all_of)


def passage_hit(q: QAQuestion, passages: Sequence[Any], k: int = PASSAGES) -> bool:
    return any(holds(p, q.expected) for p in passages[:k])


def citations_have_kind() -> bool:
    """Whether citations say what kind of unit they quote (``Citation.kind``, "code" for code)."""
    from index.query.answer import Citation

    return "kind" in {f.name for f in fields(Citation)}


# -- one run -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one question (a row of ``details``)."""

    question: str
    kind: str
    abstain_expected: bool
    abstained: bool
    hit1: bool = False
    hit3: bool = False
    passage5: bool = False
    code_answer: bool | None = None  # code questions: a hit whose first citation is a code unit
    verbatim: bool = True
    ms: float = 0.0
    citations: list[dict[str, Any]] = field(default_factory=list)  # quote, source, line, kind
    passages: list[dict[str, Any]] = field(default_factory=list)  # text, source, line

    @property
    def correct(self) -> bool:
        return self.abstained if self.abstain_expected else self.hit1

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "kind": self.kind, "abstain_expected": self.abstain_expected,
            "abstained": self.abstained, "answer@1": self.hit1, "answer@3": self.hit3,
            "passage@5": self.passage5, "code_answer": self.code_answer, "verbatim": self.verbatim,
            "ms": round(self.ms, 2), "citations": self.citations, "passages": self.passages,
        }


def score_answer(q: QAQuestion, answer: Any, code_measurable: bool) -> Outcome:
    """One answer (an ``index.query.answer.Answer``) scored against its question."""
    cites = list(answer.citations)
    hit1 = not answer.abstained and hit_at(q, cites, 1)
    code_answer = None
    if q.kind == CODE and code_measurable:
        code_answer = hit1 and getattr(cites[0], "kind", None) == CODE
    return Outcome(
        question=q.question,
        kind=q.kind,
        abstain_expected=q.abstain,
        abstained=bool(answer.abstained),
        hit1=hit1,
        hit3=not answer.abstained and hit_at(q, cites, 3),
        passage5=passage_hit(q, answer.passages),
        code_answer=code_answer,
        citations=[
            {"quote": c.quote, "source": c.source, "line": c.line, "kind": getattr(c, "kind", None)} for c in cites
        ],
        passages=[{"text": p.text, "source": p.source, "line": p.line} for p in answer.passages[:PASSAGES]],
    )


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def summarize(outcomes: list[Outcome], code_measurable: bool, latencies: list[float] | None = None) -> dict[str, Any]:
    """The metrics, counts and per-kind table of a run's outcomes."""
    answerable = [o for o in outcomes if not o.abstain_expected]
    unanswerable = [o for o in outcomes if o.abstain_expected]
    code = [o for o in answerable if o.kind == CODE]
    abstained = [o for o in outcomes if o.abstained]
    lat = latencies if latencies is not None else [o.ms for o in outcomes]
    metrics: dict[str, float | None] = {
        "answer@1": _ratio(sum(o.hit1 for o in answerable), len(answerable)),
        "answer@3": _ratio(sum(o.hit3 for o in answerable), len(answerable)),
        "passage@5": _ratio(sum(o.passage5 for o in answerable), len(answerable)),
        "abstain_precision": _ratio(sum(o.abstain_expected for o in abstained), len(abstained)),
        "abstain_recall": _ratio(sum(o.abstained for o in unanswerable), len(unanswerable)),
        "wrongly_abstained": _ratio(sum(o.abstained for o in answerable), len(answerable)),
        "code_with_code": _ratio(sum(bool(o.code_answer) for o in code), len(code)) if code_measurable else None,
        "verbatim": _ratio(sum(o.verbatim for o in outcomes), len(outcomes)),
        "latency_p50_ms": percentile(lat, 50),
        "latency_p95_ms": percentile(lat, 95),
    }
    counts = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "code": len(code),
        "abstained": len(abstained),
        "wrongly_abstained": sum(o.abstained for o in answerable),
    }
    notes = [NOT_MEASURABLE_CODE] if code and not code_measurable else []
    return {"metrics": metrics, "counts": counts, "by_kind": by_kind(outcomes, code_measurable), "notes": notes}


def by_kind(outcomes: list[Outcome], code_measurable: bool) -> dict[str, dict[str, Any]]:
    """Per kind (in order of first appearance, abstain kinds last): n, answer@1/@3, passage@5,
    abstained, and for code questions code_with_code (None until citations carry a kind)."""
    kinds = list(dict.fromkeys(o.kind for o in sorted(outcomes, key=lambda o: o.abstain_expected)))
    out: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        group = [o for o in outcomes if o.kind == kind]
        answerable = [o for o in group if not o.abstain_expected]
        row: dict[str, Any] = {
            "n": len(group),
            "answerable": len(answerable),
            "answer@1": _ratio(sum(o.hit1 for o in answerable), len(answerable)),
            "answer@3": _ratio(sum(o.hit3 for o in answerable), len(answerable)),
            "passage@5": _ratio(sum(o.passage5 for o in answerable), len(answerable)),
            "abstained": _ratio(sum(o.abstained for o in group), len(group)),
        }
        if kind == CODE and answerable:
            row["code_with_code"] = (
                _ratio(sum(bool(o.code_answer) for o in answerable), len(answerable)) if code_measurable else None
            )
        out[kind] = row
    return out


def miss_rows(questions: list[QAQuestion], outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Every question answered wrongly: an answerable one whose first citation holds no expected string
    (or that abstained), an unanswerable one that got an answer. For error analysis."""
    out = []
    for q, o in zip(questions, outcomes, strict=True):
        if o.correct:
            continue
        out.append({
            "question": q.question,
            "kind": q.kind,
            "expected": list(q.any),
            "all_of": list(q.all_of),
            "file": q.file,
            "abstained": o.abstained,
            "abstain_expected": q.abstain,
            "answer@3": o.hit3,
            "passage@5": o.passage5,
            "citations": o.citations,
            "nearest": o.passages[:1],
        })
    return out


def run_qa(engine, questions: list[QAQuestion], mode: str = "hybrid", answers_out=None) -> dict[str, Any]:  # noqa: ANN001
    """Ask every question once (after one untimed warm-up ask) and score the answers.

    Returns ``metrics`` (flat, for the table and ``--compare``), ``counts``, ``by_kind``, ``notes``,
    ``details`` (one row per question) and ``misses``. ``answers_out``: an open text file that gets
    every ``citebot ask --json`` object with the question's kind and hits (JSONL)."""
    from index.evaluation.common import timed, verbatim_ok

    code_measurable = citations_have_kind()
    if questions:
        engine.ask(questions[0].question, k=PASSAGES, mode=mode)
    outcomes: list[Outcome] = []
    for q in questions:
        answer, ms = timed(lambda q=q: engine.ask(q.question, k=PASSAGES, mode=mode))
        o = score_answer(q, answer, code_measurable)
        o.ms, o.verbatim = ms, verbatim_ok(engine, answer)
        outcomes.append(o)
        if answers_out is not None:
            row = {**answer.to_json(), "kind": q.kind, "any": list(q.any), "answer@1": o.hit1, "answer@3": o.hit3}
            answers_out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out = summarize(outcomes, code_measurable)
    out["details"] = [o.to_json() for o in outcomes]
    out["misses"] = miss_rows(questions, outcomes)
    return out


# -- the corpus ----------------------------------------------------------------------------------


def index_name(folder: Path) -> str:
    """The eval-cache name of a docs folder: readable, and distinct for ``httpx/corpus`` and
    ``requests/corpus`` (a digest of the resolved path)."""
    import hashlib

    resolved = Path(folder).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return f"qa-{resolved.parent.name}-{resolved.name}-{digest}"


def load_corpus(folder: Path) -> list:  # noqa: ANN201 - list[Document]
    """The documents of a docs folder, as ``citebot index build`` reads them; DocsNotFound / EmptyCorpus."""
    from index.errors import DocsNotFound, EmptyCorpus
    from index.ingest.loaders import load_folder

    folder = Path(folder)
    if not folder.is_dir():
        raise DocsNotFound(folder)
    documents = load_folder(folder).documents
    if not documents:
        raise EmptyCorpus(folder)
    return documents
