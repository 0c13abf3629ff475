"""The build summary's account of a folder load: what was read, what was not, and why."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from index.ingest.loaders.residue import residue
from index.models.documents import CHANGELOG, CODE

RENDERED_FORMATS = frozenset({"markdown", "rst", "notebook"})  # whose display text a loader renders

if TYPE_CHECKING:
    from index.ingest.loaders import LoadResult


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def load_summary(result: LoadResult, *, max_named: int = 10) -> list[str]:
    """Lines for ``citebot index build``: documents by format, blocks by kind, files not indexed
    by reason, includes (unresolved ones named), API-reference directives skipped, changelog share,
    and whether markup was left in any display text (``residue``)."""
    docs = result.documents
    formats = Counter(d.format for d in docs)
    kinds = Counter(b.kind.replace("_", " ") for d in docs for b in d.blocks)
    lines = [f"documents: {_counts(formats) or 'none'}", f"blocks: {_counts(kinds) or 'none'}"]
    changelog_blocks = sum(len(d.blocks) for d in docs if d.role == CHANGELOG)
    total_blocks = sum(len(d.blocks) for d in docs)
    n_docs = sum(1 for d in docs if d.role == CHANGELOG)
    lines.append(
        f"changelogs: {n_docs} document{'s' * (n_docs != 1)}, "
        f"{changelog_blocks / max(total_blocks, 1):.0%} of the blocks"
        + (" (marked as changelog)" if n_docs else "")
    )
    left_out = Counter(result.counts) or Counter(s.reason for s in result.not_indexed)
    if left_out:  # discovery's reasons (ignored, hidden, secrets…), the formats' ones, failed loads
        lines.append(f"not indexed: {_counts(left_out)}")
    if result.api_directives:
        n = sum(result.api_directives.values())
        where = ", ".join(sorted(result.api_directives))
        lines.append(f"API-reference directives skipped (no text of their own): {n} in {where}")
    if result.includes or result.unresolved:
        lines.append(f"includes: {result.includes} resolved, {len(result.unresolved)} unresolved")
        for u in result.unresolved[:max_named]:
            lines.append(f"  unresolved: {u}")
        if len(result.unresolved) > max_named:
            lines.append(f"  … and {len(result.unresolved) - max_named} more")
    lines.append(_markup_line(result))
    return lines


def _markup_line(result: LoadResult, max_named: int = 3) -> str:
    """Whether any display text still carries markup (a loader's miss, worth reporting)."""
    dirty: list[str] = []
    for doc in result.documents:
        if doc.format not in RENDERED_FORMATS:  # plain text, HTML and PDF extracts are shown as they are
            continue
        for b in doc.blocks:
            if b.kind != CODE and (kinds := residue(b.display_text(doc.text))):
                dirty.append(f"{doc.source}:{doc.line_of(b.start)} ({', '.join(kinds)})")
    if not dirty:
        return "display text: no markup left"
    more = f", … {len(dirty) - max_named} more" if len(dirty) > max_named else ""
    return f"display text: markup left in {len(dirty)} blocks: {', '.join(dirty[:max_named])}{more}"
