"""The eval suite behind ``citebot eval``: the seed set, BEIR data sets and SQuAD, scored with ranx.

Modules: ``seed`` (the project's own questions), ``beir`` and ``squad`` (public data sets read
from a path, never copied into the repository), ``metrics`` (ranx), ``cache`` (eval indexes
built once into a stable directory and reused), ``report`` (tables, JSON, save/compare).
"""
