"""``citebot bench``: speed figures of citebot paired with the plain libraries in the same run.

Parts (``--only``): build, latency, cold, scale, rss. Each returns rows
``{part, metric, citebot, plain, ratio, target, ok, note}`` that the CLI prints as one table
(or JSON). Nothing here is a unit test: timings are measured, not asserted.
"""

from index.bench.run import PARTS, BenchConfig, Row, run_bench

__all__ = ["PARTS", "BenchConfig", "Row", "run_bench"]
