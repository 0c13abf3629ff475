"""``citebot eval``: how well citebot retrieves and quotes.

    citebot eval                                   # the seed eval set (tests/eval/seed.jsonl) over seeds/
    citebot eval --qa FILE --docs DIR --misses     # any docsqa question file (your golden set) over DIR
    citebot eval --beir DATA/scifact --split test  # nDCG@10, Recall@100, MRR@10 (ranx)
    citebot eval --squad DATA/squad/dev-v1.1.json --articles 24-47
    citebot eval --modes bm25,dense,hybrid --json --save run.json --compare earlier.json

Eval indexes are built once into ``--cache`` (default ``.citebot/eval``) and reused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from index.evaluation.errors import EvalError

MODES = ("bm25", "dense", "hybrid")


class BadModes(EvalError):
    def __init__(self, text: str) -> None:
        super().__init__(f"bad --modes {text!r}: choose from {', '.join(MODES)} (comma-separated)")


class BadOptions(EvalError):
    pass


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def parse_modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        raise BadModes(text)
    return list(dict.fromkeys(modes))


def per_mode_path(path: Path, mode: str, modes: list[str]) -> Path:
    """``path`` itself for one mode; ``name.<mode>.ext`` when several modes are evaluated."""
    if len(modes) == 1:
        return path
    return path.with_name(f"{path.stem}.{mode}{path.suffix}")


def eval_command(
    beir: Annotated[Path | None, typer.Option("--beir", help="A BEIR data set directory (corpus.jsonl, queries.jsonl, qrels/).")] = None,
    split: Annotated[str, typer.Option("--split", help="BEIR qrels split.")] = "test",
    squad: Annotated[Path | None, typer.Option("--squad", help="A SQuAD v1.1 JSON file.")] = None,
    articles: Annotated[str, typer.Option("--articles", help="SQuAD articles whose questions are asked, e.g. 24-47.")] = "24-47",
    qa: Annotated[Path | None, typer.Option("--qa", "--set", help="A docsqa question file (JSONL: q, any, file, kind, abstain); default: the seed set tests/eval/seed.jsonl.")] = None,
    docs: Annotated[Path | None, typer.Option("--docs", help="The documents the --qa questions are about (default: settings, seeds/).")] = None,
    misses: Annotated[bool, typer.Option("--misses", help="QA: print every miss (question, expected strings, what was quoted, from which file).")] = False,
    modes: Annotated[str, typer.Option("--modes", help="Retrieval modes, side by side: bm25,dense,hybrid.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as one JSON object.")] = False,
    save: Annotated[Path | None, typer.Option("--save", help="Save the results (JSON) to this file.")] = None,
    compare: Annotated[Path | None, typer.Option("--compare", help="Show deltas against a saved run.")] = None,
    run_out: Annotated[Path | None, typer.Option("--run-out", help="BEIR: write a TREC run file.")] = None,
    answers_out: Annotated[Path | None, typer.Option("--answers-out", help="SQuAD, QA: write every answer (ask --json) as JSONL.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, help="BEIR: documents ranked per query.")] = 100,
    dense_candidates: Annotated[int | None, typer.Option("--dense-candidates", min=1, help="Sentences fetched from the vector store (default: pipeline default).")] = None,
    bm25_candidates: Annotated[int | None, typer.Option("--bm25-candidates", min=1, help="Chunks fetched from BM25 (default: pipeline default).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N questions (quick runs).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Where eval indexes are cached (default .citebot/eval).")] = None,
) -> None:
    """Measure retrieval and quoting: a docs-QA set (default: the seed set), a BEIR data set, or SQuAD."""
    from dataclasses import replace

    from rich.console import Console

    from index.evaluation import qa_report, report
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.ingest.progress import RichProgress, Silent
    from index.models.embeddings import load_embedder
    from index.query.records import QuoteParams, RetrievalParams
    from index.settings import Settings

    if sum(x is not None for x in (beir, squad, qa)) > 1:
        raise BadOptions("choose one of --beir, --squad and --qa")
    if run_out is not None and beir is None:
        raise BadOptions("--run-out needs --beir")
    if (docs is not None or misses) and (beir is not None or squad is not None):
        raise BadOptions("--docs and --misses go with --qa (or the default seed set)")
    mode_list = parse_modes(modes)
    earlier = report.load(compare) if compare is not None else None
    settings = Settings()
    err = Console(stderr=True)
    retrieval = RetrievalParams()
    overrides = {k: v for k, v in (("dense_candidates", dense_candidates), ("bm25_candidates", bm25_candidates)) if v}
    retrieval = replace(retrieval, **overrides)
    quotes = QuoteParams()

    def build(name: str, documents: list) -> Path:  # noqa: ANN001
        progress = RichProgress() if err.is_terminal else Silent()
        try:
            return ensure_index(name, documents, settings, embedder, cache, progress)
        finally:
            progress.close()

    hard_per_mode: dict[str, dict] = {}
    if beir is None and squad is None:  # bad question files and folders fail before the model loads
        from index.evaluation.qa import load_corpus, load_questions
        from index.evaluation.seed import default_set, hard_set

        questions_path = qa or default_set()
        questions = load_questions(questions_path)[:limit]
        folder = Path(docs or settings.docs_dir)
        documents = load_corpus(folder)
        # the questions that need coreference or synonyms are reported beside the gated set, never hidden
        hard = load_questions(hard_set()) if qa is None and hard_set().is_file() else []
    embedder = load_embedder(settings.model, settings.backend)
    per_mode: dict[str, dict] = {}
    if beir is not None:
        from index.evaluation.beir import corpus_documents, load_beir, run_beir
        from index.evaluation.metrics import write_run

        data = load_beir(beir, split)
        if limit:
            data.queries = dict(list(data.queries.items())[:limit])
            data.qrels = {q: data.qrels[q] for q in data.queries}
        index_dir = build(f"beir-{Path(beir).resolve().name}", corpus_documents(beir))
        suite, split_name = f"beir:{data.name}", split
        for mode in mode_list:
            engine = open_engine(settings, index_dir, embedder, retrieval, quotes)
            err.print(f"[dim]{suite} {split}: {len(data.queries)} queries, mode {mode}…[/dim]")
            per_mode[mode] = run_beir(engine, data, mode, depth)
            if run_out is not None:
                write_run(per_mode_path(run_out, mode, mode_list), per_mode[mode].pop("run"), f"citebot-{mode}")
    elif squad is not None:
        from index.evaluation.squad import load_squad, parse_articles, run_squad

        chosen = parse_articles(articles)
        data = load_squad(squad, chosen)
        if limit:
            data.questions = data.questions[:limit]
        index_dir = build(f"squad-{Path(squad).stem}", data.documents)
        suite, split_name = "squad", f"articles {articles}"
        for mode in mode_list:
            engine = open_engine(settings, index_dir, embedder, retrieval, quotes)
            err.print(f"[dim]squad {articles}: {len(data.questions)} questions, mode {mode}…[/dim]")
            if answers_out is not None:
                out = per_mode_path(answers_out, mode, mode_list)
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("w", encoding="utf-8") as fh:
                    per_mode[mode] = run_squad(engine, data, mode, fh)
            else:
                per_mode[mode] = run_squad(engine, data, mode)
    else:
        from index.evaluation.qa import index_name, run_qa

        index_dir = build(index_name(folder), documents)
        named = Path(questions_path)
        suite = "seed" if qa is None else f"qa:{named.parent.name + '/' if named.parent.name else ''}{named.name}"
        split_name = f"docs {folder}"
        for mode in mode_list:
            engine = open_engine(settings, index_dir, embedder, retrieval, quotes)
            err.print(f"[dim]{suite}: {len(questions)} questions, mode {mode}…[/dim]")
            if answers_out is not None:
                out = per_mode_path(answers_out, mode, mode_list)
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("w", encoding="utf-8") as fh:
                    per_mode[mode] = run_qa(engine, questions, mode, fh)
            else:
                per_mode[mode] = run_qa(engine, questions, mode)
            if hard:
                hard_per_mode[mode] = run_qa(engine, hard, mode)

    result = report.make_result(suite, split_name, per_mode, retrieval, quotes)
    hard_result = None
    if beir is None and squad is None:
        qa_report.attach(result, per_mode, misses)
        if hard_per_mode:
            hard_result = report.make_result("seed (hard: coreference, synonyms; not gated)", str(hard_set()),
                                             hard_per_mode, retrieval, quotes)
            qa_report.attach(hard_result, hard_per_mode, misses)
            result["hard"] = {k: hard_result[k] for k in ("split", "modes", "counts", "by_kind")}
    if save is not None:
        report.save(result, save)
    if as_json:
        typer.echo(report.as_json(result, earlier))
        return
    console = Console() if Console().is_terminal else Console(width=120)  # a pipe or file: no wrapped cells
    console.print(report.table(result, earlier))
    for r, before in ((result, earlier), (hard_result, (earlier or {}).get("hard"))):
        if r is None:
            continue
        if r is hard_result:
            console.print(report.table(r, before))
        for t in qa_report.kind_tables(r, before):
            console.print(t)
        for note in r.get("notes", []):
            console.print(f"note: {note}", markup=False, highlight=False)
        for mode, rows in r.get("misses", {}).items():
            typer.echo("\n".join(qa_report.miss_lines(rows, mode, r["counts"]["questions"])))
