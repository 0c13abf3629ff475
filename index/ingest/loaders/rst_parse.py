"""docutils' parser with the Sphinx vocabulary (``rst_sphinx``) registered and its messages swallowed.

Every reStructuredText the loaders read goes through ``parse_rst``: whole ``.rst`` files, MyST's
``{eval-rst}`` blocks, docstrings, a ``conf.py``'s ``rst_prolog``.
"""

from __future__ import annotations

import copy
import io
from functools import lru_cache

from docutils import frontend, nodes, utils
from docutils.parsers.rst import Parser

from index.ingest.loaders.rst_sphinx import register_sphinx, register_unknown, sphinx_inliner


@lru_cache(maxsize=1)
def _default_settings() -> frontend.Values:
    return _settings()


def _settings() -> frontend.Values:
    settings = frontend.get_default_settings(Parser)
    settings.report_level = 5  # docutils' own messages never reach the user
    settings.halt_level = 5
    settings.warning_stream = io.StringIO()
    settings.file_insertion_enabled = False
    settings.raw_enabled = False
    settings.input_encoding = "unicode"
    settings.character_level_inline_markup = False
    return settings


def parse_rst(text: str, source: str) -> nodes.document:
    register_sphinx()
    register_unknown(text)
    settings = copy.copy(_default_settings())
    settings.warning_stream = io.StringIO()
    document = utils.new_document(source, settings)
    Parser(inliner=sphinx_inliner()).parse(text, document)
    return document
