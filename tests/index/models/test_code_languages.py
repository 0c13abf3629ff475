"""What a code block's language says: a program or command, or a sample of document markup or text."""

from __future__ import annotations

import pytest

from index.models.code_languages import is_markup_sample


@pytest.mark.parametrize("language", ["md-render", "markdown", "MD", "html", "text", "rst", "xml", "output"])
def test_markup_and_plain_text_are_samples(language: str) -> None:
    assert is_markup_sample(language)


@pytest.mark.parametrize("language", ["python", "py-render", "pycon", "shell", "console", "yaml", "toml", "html+jinja", ""])
def test_programs_commands_configuration_and_unknown_are_not(language: str) -> None:
    assert not is_markup_sample(language)
