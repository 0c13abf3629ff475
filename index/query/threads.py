"""numpy's BLAS on one thread in a query process.

Every product on the query path is small (a question's token vectors against a candidate's: 12 × 384 by
384 × 254 at most; one question vector against a few hundred unit vectors). OpenBLAS hands such a
product to a thread team all the same, and on a busy machine the team costs far more than it saves:
measured 1.2 ms CPU / 3.9 ms wall per product with 2 threads against 0.07 ms / 0.2 ms with one. A query
process (the bot, ``citebot ask``, the eval runners) therefore runs numpy's OpenBLAS on one thread. The
libraries FAISS and onnxruntime bring keep their own thread settings (a build's batches still use every
core); ``CITEBOT_THREADS`` is not consulted here because no query-path product is large enough to gain.
"""

from __future__ import annotations

import functools
import logging

log = logging.getLogger("citebot.threads")


@functools.cache
def single_threaded_blas() -> int:
    """Limit the BLAS libraries numpy loaded to one thread (once per process); how many were limited."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - a dependency
        return 0
    limited = 0
    for lib in ThreadpoolController().lib_controllers:
        if lib.user_api == "blas" and "numpy" in str(lib.filepath):
            lib.set_num_threads(1)
            limited += 1
    log.debug("numpy BLAS on one thread (%d libraries)", limited)
    return limited
