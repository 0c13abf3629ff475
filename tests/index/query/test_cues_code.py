"""What a question asks for beyond its words: code, or versions and changes."""

from __future__ import annotations

import pytest

from index.query.cues import asks_about_versions, code_identifiers, identifier_words, wants_code


@pytest.mark.parametrize("question", [
    "example of giving the connect phase a long timeout but everything else 10s?",
    "snippet to cap the connection pool at 10 connections?",
    "can someone show a transport wrapper that prints every request?",
    "code example for logging each request + response using event hooks",
    "how do i find out which IP address my request went to? code pls",
    "show me how to mount a transport",
])
def test_questions_that_ask_for_code(question: str) -> None:
    assert wants_code(question) == 1.0


@pytest.mark.parametrize("question", [
    "how do I make httpx follow redirects automatically?",
    "which exception should i catch for network failures and bad status codes?",
    "why did my code treat a failed call (500) as a success?",
    "how can I show a progress bar while a big file downloads?",
    "what's the default timeout?",
])
def test_questions_that_do_not(question: str) -> None:
    assert wants_code(question) == 0.0


def test_code_identifiers_are_kept_as_code_spells_them() -> None:
    assert code_identifiers("httpx.delete() won't take json= or content=, why?") == ["httpx.delete", "json=", "content="]
    assert code_identifiers("is it bad to do `async with httpx.AsyncClient()` in a loop?") == [
        "async with httpx.AsyncClient()", "httpx.AsyncClient"]
    assert code_identifiers("what's the default max_connections? and PoolTimeout? e.g. Client(") == [
        "max_connections", "PoolTimeout", "Client("]
    assert code_identifiers("how do I stream a big download?") == []


def test_identifier_words_split_names_into_words() -> None:
    assert identifier_words("class ProxyRoundRobin(httpx.BaseTransport):") >= {"proxy", "round", "robin", "base",
                                                                               "transport", "httpx", "class"}
    assert {"event", "hooks"} <= identifier_words("client = httpx.Client(event_hooks={...})")


@pytest.mark.parametrize(("question", "versions"), [
    ("since which version is http2 supported?", True),
    ("what changed in 0.28?", True),
    ("is the proxies argument deprecated?", True),
    ("when was this released", True),
    ("what's the default timeout?", False),
    ("how do I upload a file?", False),
])
def test_questions_about_versions_and_changes(question: str, versions: bool) -> None:
    assert asks_about_versions(question) is versions
