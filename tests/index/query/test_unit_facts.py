"""What a unit is besides its text (``index.query.unit_facts``): its context, title and heading path."""

from __future__ import annotations

from index.ingest.builder import build_index
from index.query.engine import Engine
from index.query.unit_facts import context_text


def test_context_text_is_the_title_and_the_heading_path_once() -> None:
    assert context_text("SSL", "SSL > Enabling verification") == "SSL > Enabling verification"
    assert context_text("Guide", "Install > From source") == "Guide > Install > From source"
    assert context_text("Environment Variables", "Environment Variables") == "Environment Variables"
    assert context_text(" Clients ", "") == "Clients"  # a page's opening paragraph: under its title only
    assert context_text("", "Usage") == "Usage"
    assert context_text("", "") == ""


PAGE = """# Environment Variables

The library can be configured via environment variables. They are used by default.

## Proxies

`HTTP_PROXY` sets the proxy used for http requests.
"""


def test_a_pages_opening_paragraph_has_its_title_as_context(settings, fake_embedder) -> None:  # noqa: ANN001
    settings.docs_dir.mkdir()
    (settings.docs_dir / "environment.md").write_text(PAGE, encoding="utf-8")
    build_index(settings, embedder=fake_embedder)
    engine = Engine.open(settings, embedder=fake_embedder)
    backend, facts = engine.backend, engine.context.texts.facts
    contexts = {backend.unit_display(i): facts(i).context for i in range(backend.n_units)}
    opening = next(c for t, c in contexts.items() if t.startswith("The library can be configured"))
    proxy = next(c for t, c in contexts.items() if t.startswith("`HTTP_PROXY`"))
    assert opening == "Environment Variables"
    assert proxy == "Environment Variables > Proxies"
    assert "environ" in facts(next(i for i in range(backend.n_units) if backend.unit_display(i).startswith("The library"))).context_terms
