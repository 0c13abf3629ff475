"""``citebot eval``: how well citebot retrieves and quotes.

    citebot eval                                   # the seed eval set (tests/eval/seed.jsonl) over seeds/
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
    eval_set: Annotated[Path | None, typer.Option("--set", help="Seed eval set (default tests/eval/seed.jsonl).")] = None,
    docs: Annotated[Path | None, typer.Option("--docs", help="Documents of the seed eval (default: settings, seeds/).")] = None,
    modes: Annotated[str, typer.Option("--modes", help="Retrieval modes, side by side: bm25,dense,hybrid.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as one JSON object.")] = False,
    save: Annotated[Path | None, typer.Option("--save", help="Save the results (JSON) to this file.")] = None,
    compare: Annotated[Path | None, typer.Option("--compare", help="Show deltas against a saved run.")] = None,
    run_out: Annotated[Path | None, typer.Option("--run-out", help="BEIR: write a TREC run file.")] = None,
    answers_out: Annotated[Path | None, typer.Option("--answers-out", help="SQuAD: write every answer (ask --json) as JSONL.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, help="BEIR: documents ranked per query.")] = 100,
    dense_candidates: Annotated[int | None, typer.Option("--dense-candidates", min=1, help="Sentences fetched from the vector store (default: pipeline default).")] = None,
    bm25_candidates: Annotated[int | None, typer.Option("--bm25-candidates", min=1, help="Chunks fetched from BM25 (default: pipeline default).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N questions (quick runs).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Where eval indexes are cached (default .citebot/eval).")] = None,
) -> None:
    """Measure retrieval and quoting: the seed set (default), a BEIR data set, or SQuAD."""
    from dataclasses import replace

    from rich.console import Console

    from index.evaluation import report
    from index.evaluation.cache import ensure_index
    from index.evaluation.common import open_engine
    from index.ingest.progress import RichProgress, Silent
    from index.models.embeddings import load_embedder
    from index.query.quotes import QuoteParams
    from index.query.retrieval import RetrievalParams
    from index.settings import Settings

    if beir is not None and squad is not None:
        raise BadOptions("choose one of --beir and --squad")
    if run_out is not None and beir is None:
        raise BadOptions("--run-out needs --beir")
    if answers_out is not None and squad is None:
        raise BadOptions("--answers-out needs --squad")
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
        from index.evaluation.seed import default_set, load_seed_set, run_seed
        from index.ingest.loaders import load_folder

        questions = load_seed_set(eval_set or default_set())
        if limit:
            questions = questions[:limit]
        folder = Path(docs or settings.docs_dir)
        if not folder.is_dir():
            from index.errors import DocsNotFound

            raise DocsNotFound(folder)
        index_dir = build(f"seed-{folder.resolve().name}", load_folder(folder).documents)
        suite, split_name = "seed", str(eval_set or default_set())
        # the questions that need coreference or synonyms are reported beside the gated set, never hidden
        hard_path = default_set().with_name("seed_hard.jsonl") if eval_set is None else None
        hard = load_seed_set(hard_path) if hard_path is not None and hard_path.is_file() else []
        hard_per_mode: dict[str, dict] = {}
        for mode in mode_list:
            engine = open_engine(settings, index_dir, embedder, retrieval, quotes)
            per_mode[mode] = run_seed(engine, questions, mode)
            if hard:
                hard_per_mode[mode] = run_seed(engine, hard, mode)

    result = report.make_result(suite, split_name, per_mode, retrieval, quotes)
    hard_result = None
    if beir is None and squad is None and hard_per_mode:
        hard_result = report.make_result("seed (hard: coreference, synonyms; not gated)", str(hard_path),
                                         hard_per_mode, retrieval, quotes)
        result["hard"] = {"split": hard_result["split"], "modes": hard_result["modes"], "counts": hard_result["counts"]}
    if save is not None:
        report.save(result, save)
    if as_json:
        typer.echo(report.as_json(result, earlier))
    else:
        Console().print(report.table(result, earlier))
        if hard_result is not None:
            Console().print(report.table(hard_result))
