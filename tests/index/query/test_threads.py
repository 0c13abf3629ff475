"""A query process runs numpy's BLAS on one thread; the libraries FAISS brings keep theirs."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from index.query.threads import single_threaded_blas


def test_numpy_blas_runs_on_one_thread_after_an_engine_opens(seed_engine) -> None:  # noqa: ANN001
    assert single_threaded_blas() >= 1  # numpy's OpenBLAS was found (and limited once per process)
    numpy_blas = [i for i in threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"]]
    assert numpy_blas and all(i["num_threads"] == 1 for i in numpy_blas)
    assert seed_engine.ask("who saved the babies?").citations
