"""``citebot bench``: build throughput, query latency, cold start, 1M-vector scale, peak RSS and the
docs-QA sets (ask latency on real docs, the httpx docs build), each paired with the plain libraries
in the same run (see BENCHMARKS.md ``## Speed``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


def _ints(text: str, option: str) -> tuple[int, ...]:
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise typer.BadParameter(f"{option}: comma-separated whole numbers, e.g. 100,200,400") from None
    if not values or min(values) < 1:
        raise typer.BadParameter(f"{option}: comma-separated whole numbers, e.g. 100,200,400")
    return values


def bench(
    only: Annotated[
        str,
        typer.Option(
            "--only",
            help="Comma-separated parts: build,latency,cold,scale,rss,docsqa (default: these), remote (PostgreSQL).",
        ),
    ] = "",
    data: Annotated[Path, typer.Option("--data", help="BEIR SciFact folder.")] = Path(
        "../shared/data/scifact"
    ),
    docsqa: Annotated[Path, typer.Option("--docsqa", help="Folder of docs-QA sets (<name>/questions.jsonl, <name>/corpus/).")] = Path(
        "../shared/data/docsqa"
    ),
    backend: Annotated[
        str | None, typer.Option("--backend", help="torch | onnx | onnx-int8 (default: settings).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="SciFact documents (default: all).")
    ] = None,
    queries: Annotated[
        int | None, typer.Option("--queries", min=1, help="Test queries (default: all 300).")
    ] = None,
    scale_n: Annotated[
        int, typer.Option("--scale-n", min=1000, help="Synthetic vectors for 'scale'.")
    ] = 1_000_000,
    work: Annotated[Path, typer.Option("--work", help="Scratch folder for bench indexes.")] = Path(
        ".citebot/bench"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    save: Annotated[
        Path | None, typer.Option("--save", help="Also write the JSON results to this file.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown (BENCHMARKS.md).")
    ] = False,
    pg_dsn: Annotated[
        str, typer.Option("--pg-dsn", help="remote: an existing PostgreSQL with pgvector (default: start one).")
    ] = "",
    ef_search: Annotated[
        str, typer.Option("--ef-search", help="remote: HNSW ef_search values to measure, comma separated.")
    ] = "100,200,400",
    ivf_probes: Annotated[
        str, typer.Option("--ivf-probes", help="remote: IVFFlat probes values to measure, comma separated.")
    ] = "16,32,64",
    overfetch: Annotated[
        str, typer.Option("--overfetch", help="remote: halfvec candidates re-sorted per result to measure, comma "
                          "separated (default: search.OVERFETCH).")
    ] = "",
    pg_ann: Annotated[
        str, typer.Option("--pg-ann", help="remote: ANN index of the large corpora, ivfflat-halfvec or hnsw-halfvec "
                          "(default: ingest.ANN_KIND).")
    ] = "",
    remote_parts: Annotated[
        str, typer.Option("--remote-parts", help="remote: exact,scifact,reindex,large,small,tiny (default: all).")
    ] = "exact,scifact,reindex,large,small,tiny",
) -> None:
    """Measure citebot against plain sentence-transformers / FAISS in one run and print one table."""
    import sys

    from index.bench.run import ALL_PARTS, PARTS, BenchConfig, rows_json, run_bench
    from index.settings import Settings

    parts = [p.strip() for p in only.split(",") if p.strip()] or list(PARTS)
    unknown = [p for p in parts if p not in ALL_PARTS]
    if unknown:
        raise typer.BadParameter(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(ALL_PARTS)}")
    settings = Settings()
    chosen = backend or settings.backend
    if chosen not in ("torch", "onnx", "onnx-int8"):
        raise typer.BadParameter(f"unknown backend {chosen!r}")
    cfg = BenchConfig(
        data=data,
        seeds=settings.docs_dir,
        docsqa=docsqa,
        work=work,
        backend=chosen,
        model=settings.model,
        model_cache_dir=settings.model_cache_dir,
        limit=limit,
        queries=queries,
        scale_n=scale_n,
        pg_dsn=pg_dsn,
        ef_search=_ints(ef_search, "--ef-search"),
        ivf_probes=_ints(ivf_probes, "--ivf-probes"),
        overfetch=_ints(overfetch, "--overfetch") if overfetch.strip() else (),
        pg_ann=pg_ann.strip(),
        remote_parts=tuple(p.strip() for p in remote_parts.split(",") if p.strip()),
        log=lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True),
    )
    if any(p in parts for p in ("build", "latency", "rss")) and not (data / "corpus.jsonl").exists():
        raise typer.BadParameter(f"no SciFact corpus at {data} (--data)")
    rows = run_bench(cfg, parts)
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_text(json.dumps(rows_json(rows, cfg), indent=1))
    if as_json:
        typer.echo(json.dumps(rows_json(rows, cfg), indent=1))
        return
    if markdown:
        typer.echo(markdown_table(rows))
        return
    render_table(rows, cfg)


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return ""
    if unit == "" and v <= 1.0:
        return f"{v:.3f}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def render_table(rows, cfg) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table

    title = (
        f"citebot bench — backend {cfg.backend}, SciFact N={cfg.limit or 'all'} docs, scale n={cfg.scale_n:,}"
    )
    table = Table(title=title, show_lines=False)
    for col in ("part", "metric", "citebot", "plain", "ratio", "target", "met", "note"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*_cells(r, missed="NO"))
    Console(width=200).print(table)


def _cells(r, missed: str = "**no**") -> list[str]:  # noqa: ANN001
    met = "" if r.ok is None else ("yes" if r.ok else missed)
    return [
        r.part,
        r.metric,
        f"{_fmt(r.citebot, r.unit)} {r.unit}".strip(),
        f"{_fmt(r.plain, r.unit)} {r.unit}".strip() if r.plain is not None else "",
        f"{r.ratio:.2f}x" if r.ratio else "",
        r.target,
        met,
        r.note,
    ]


def markdown_table(rows) -> str:  # noqa: ANN001
    head = ["part", "metric", "citebot", "plain", "ratio", "target", "met", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in _cells(r)) + " |")
    return "\n".join(lines)
