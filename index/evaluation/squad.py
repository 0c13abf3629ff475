"""SQuAD v1.1 as passage retrieval + quoting: every paragraph of the file is one document
(its article title as context), the chosen articles' questions are asked, and a question's gold
passage is its own paragraph."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.evaluation.errors import BadSplit, EvalDataError
from index.models.documents import PARAGRAPH, Block, Document


@dataclass(frozen=True)
class SquadQuestion:
    qid: str
    question: str
    source: str  # the gold paragraph's document source
    answers: tuple[str, ...]


@dataclass
class SquadSet:
    path: Path
    documents: list[Document]
    questions: list[SquadQuestion]
    articles: list[int]


def parse_articles(text: str) -> list[int]:
    """``"24-47"`` → 24..47 (inclusive); also ``"3"``, ``"0-3,7"``."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not m:
            raise BadSplit(text)
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if hi < lo:
            raise BadSplit(text)
        out.extend(range(lo, hi + 1))
    if not out:
        raise BadSplit(text)
    return sorted(set(out))


def paragraph_source(article: int, paragraph: int) -> str:
    return f"squad/{article:03d}/{paragraph:03d}"


def load_squad(path: Path, articles: list[int] | None = None) -> SquadSet:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
    except FileNotFoundError:
        raise EvalDataError(path, "no such file") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise EvalDataError(path, f"not a SQuAD file ({exc.__class__.__name__})") from None
    wanted = set(range(len(data))) if articles is None else set(articles)
    missing = sorted(a for a in wanted if a >= len(data))
    if missing:
        raise EvalDataError(path, f"has {len(data)} articles (0-{len(data) - 1}); asked for {missing[0]}")
    docs: list[Document] = []
    questions: list[SquadQuestion] = []
    for a, article in enumerate(data):
        title = str(article.get("title", "")).replace("_", " ").strip()
        for p, para in enumerate(article["paragraphs"]):
            text = para["context"]
            source = paragraph_source(a, p)
            docs.append(Document(source=source, text=text, blocks=[Block(PARAGRAPH, 0, len(text), context=title)], title=title))
            if a not in wanted:
                continue
            for qa in para["qas"]:
                answers = tuple(dict.fromkeys(x["text"] for x in qa["answers"] if x["text"].strip()))
                questions.append(SquadQuestion(str(qa["id"]), qa["question"], source, answers))
    return SquadSet(path, docs, questions, sorted(wanted))


def quote_hit(quotes: list[str], answers: tuple[str, ...], k: int) -> bool:
    return any(a in q for q in quotes[:k] for a in answers)


def _ask(engine, question: str, mode: str):  # noqa: ANN001, ANN202 - what Engine.ask does, keeping the retrieval
    retrieval = engine.retrieve(question, mode)
    return retrieval, engine.answer(retrieval)


def run_squad(engine, data: SquadSet, mode: str = "hybrid", answers_out=None) -> dict:  # noqa: ANN001
    """Passage hit@1/@5 (ranx hit_rate over the document ranking), quote@1, quotes@3, verbatim.

    An abstention has no quotes, so it counts as a miss. ``answers_out``: an open text file that
    gets the ``citebot ask --json`` object of every question (JSONL)."""
    from index.evaluation.common import ranked_sources, timed, verbatim_ok
    from index.evaluation.metrics import evaluate, percentile

    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    latencies: list[float] = []
    q1 = q3 = verbatim = abstained = 0
    for q in data.questions:
        (retrieval, answer), ms = timed(lambda q=q: _ask(engine, q.question, mode))
        latencies.append(ms)
        qrels[q.qid] = {q.source: 1}
        run[q.qid] = dict(ranked_sources(engine, retrieval, 5))
        quotes = [c.quote for c in answer.citations]
        q1 += quote_hit(quotes, q.answers, 1)
        q3 += quote_hit(quotes, q.answers, 3)
        verbatim += verbatim_ok(engine, answer)
        abstained += answer.abstained
        if answers_out is not None:
            answers_out.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
    n = len(data.questions) or 1
    hits = evaluate(qrels, run, ("hit_rate@1", "hit_rate@5"))
    metrics = {
        "passage_hit@1": hits["hit_rate@1"],
        "passage_hit@5": hits["hit_rate@5"],
        "quote@1": q1 / n,
        "quotes@3": q3 / n,
        "verbatim": verbatim / n,
        "abstained": abstained / n,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
    return {"metrics": metrics, "counts": {"questions": len(data.questions), "corpus": len(data.documents)}}
