"""What a question asks for beyond its words: code, or versions and changes."""

from __future__ import annotations

import pytest

from index.query.cues import (
    asks_about_versions,
    asks_action,
    asks_how,
    code_identifiers,
    code_unasked,
    identifier_words,
    wants_code,
)


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


@pytest.mark.parametrize("question", [
    "check for breaking changes against my 1.0 release",
    "test client: post json to my api and read json back",
    "load my package as it was at git tag 2.1 from python",
    "keep rich installed but get the old plain traceback output?",
    "cli command to dump the api of my package",
    "how would I call this programmatically?",
])
def test_imperative_tool_actions_ask_for_code(question: str) -> None:
    assert asks_action(question)
    assert wants_code(question) == 1.0
    assert code_unasked(question) == 0.0


@pytest.mark.parametrize("question", [
    "log lines show up twice",  # "log" read as a noun: not one of the action verbs
    "set of rules for the router?",  # a noun phrase
    "check is slow on big packages",  # a statement about the command
    "why run the check on every commit?",  # a why question asks for a reason
    "passed -c config.yml but the settings do nothing",  # past tense: a symptom, not an imperative
    "what does griffe check compare to",
])
def test_statements_and_nouns_are_not_imperatives(question: str) -> None:
    assert not asks_action(question)


@pytest.mark.parametrize("question", [
    "route on the full hostname, like www.example.com vs help.example.com",  # a domain, not an example
    "a ``` code block inside a list item doesn't render as code",  # the markup, not an ask
    "i never want griffe to import any code, only static analysis",
    "stuff i bind in a sync endpoint doesnt show up in logs from async code",
])
def test_code_named_but_not_asked_for(question: str) -> None:
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


@pytest.mark.parametrize(("question", "how", "unasked"), [
    ("how do i add query params to a GET?", True, 0.0),
    ("can I just skip the check?", True, 0.0),
    ("is there a built-in way to retry when the connection fails?", True, 0.0),
    ("snippet to cap the connection pool at 10 connections?", False, 0.0),  # asks for code
    ("why doesn't httpx follow redirects by default?", False, 1.0),
    ("why should I bother creating a Client?", False, 1.0),  # a why question, whatever else it says
    ("what's the minimum python version for httpx?", False, 1.0),
    ("how many connections does the pool keep?", False, 1.0),
    ("is cert verification on by default?", False, 1.0),
])
def test_what_kind_of_answer_a_question_wants(question: str, how: bool, unasked: float) -> None:
    assert asks_how(question) is how
    assert code_unasked(question) == unasked
