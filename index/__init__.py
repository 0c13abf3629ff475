"""citebot retrieval core: documents in, verbatim quoted citations out.

This package never imports discord; the Discord layer lives in ``bot``.
Heavy modules (torch, sentence-transformers, faiss) are imported lazily so
that ``citebot --help`` stays instant.
"""

__version__ = "0.1.0"
