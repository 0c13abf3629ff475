"""CITEBOT_CORPORA: the corpora file is read and checked once, and every mistake is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botfakes import TOKEN, FakeEngine
from pydantic import ValidationError

from bot.corpus_config import read_corpora
from bot.service import CitebotService
from bot.settings import BotSettings, invalid_setting

TOML = """
[corpus.httpx]
docs_dir = "httpx/docs"
index_dir = "/srv/index/httpx"
repo_url = "https://github.com/encode/httpx"
guilds = [111111111111111111]

[corpus.requests]
docs_dir = "/srv/requests/docs"
guilds = [222222222222222222]
channels = [333333333333333333]
exclude = ["changelog/*"]
"""


def settings_with(tmp_path: Path, text: str, name: str = "corpora.toml", **values: object) -> BotSettings:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return BotSettings(_env_file=None, discord_token=TOKEN, corpora=str(path), index_dir=tmp_path / "index",
                       docs_dir=tmp_path / "docs", feedback_db=tmp_path / "fb.sqlite3", **values)


def refusal(tmp_path: Path, text: str, name: str = "corpora.toml") -> str:
    with pytest.raises(ValidationError) as caught:
        settings_with(tmp_path, text, name)
    line = invalid_setting(caught.value)
    assert "\n" not in line
    return line


def test_the_file_gives_each_corpus_its_folders_and_links(tmp_path):
    settings = settings_with(tmp_path, TOML, repo_url="https://github.com/me/default-docs")
    corpora = settings.corpus_settings()
    assert list(corpora) == ["default", "httpx", "requests"]
    assert corpora["default"] is settings  # CITEBOT_DOCS_DIR / CITEBOT_INDEX_DIR
    httpx, requests = corpora["httpx"], corpora["requests"]
    assert httpx.docs_dir == tmp_path / "httpx" / "docs"  # relative to the file
    assert httpx.index_dir == Path("/srv/index/httpx")
    assert httpx.repo_url == "https://github.com/encode/httpx"
    assert requests.index_dir == tmp_path / "index-requests"  # beside CITEBOT_INDEX_DIR
    assert requests.repo_url is None  # never another corpus's links
    assert requests.exclude == ["changelog/*"] and httpx.exclude == []
    assert (httpx.corpus, requests.corpus) == ("httpx", "requests")  # their names in a shared store (postgres)
    assert settings.corpora.guild_map() == {111111111111111111: "httpx", 222222222222222222: "requests"}
    assert settings.corpora.channel_map() == {333333333333333333: "requests"}


def test_json_works_too_and_a_file_may_redefine_default(tmp_path):
    data = {"corpus": {"default": {"docs_dir": "d", "index_dir": "i"}}}
    settings = settings_with(tmp_path, json.dumps(data), name="corpora.json")
    corpora = settings.corpus_settings()
    assert list(corpora) == ["default"] and corpora["default"].docs_dir == tmp_path / "d"


def test_blank_means_one_corpus(tmp_path):
    settings = BotSettings(_env_file=None, discord_token=TOKEN, corpora="  ")
    assert settings.corpora is None and list(settings.corpus_settings()) == ["default"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[corpus.a]\nguilds = [1]\n", "corpus.a.docs_dir: Field required"),
        ("[corpus.a]\ndocs_dir = 'x'\ncolour = 'red'\n", "corpus.a.colour: Extra inputs are not permitted"),
        ("[corpus.Big]\ndocs_dir = 'x'\n", "corpus name 'Big': use lowercase letters"),
        ("[corpus.a]\ndocs_dir = 'x'\nguilds = ['general']\n", "corpus.a.guilds.0: Input should be a valid integer"),
        ("[corpus.a]\ndocs_dir = 'x'\nguilds = [5]\n[corpus.b]\ndocs_dir = 'y'\nguilds = [5]\n",
         "guild 5 is mapped to both 'a' and 'b'"),
        ("[corpus.a]\ndocs_dir = 'x'\nrepo_url = 'github.com/x'\n", "repo_url: Value error, must start with https://"),
        ("[corpus.a\ndocs_dir = 'x'\n", "is not valid TOML"),
        ("corpus = 3\n", "corpus: Input should be a valid dictionary"),
        ("", "corpus: Field required"),
    ],
)
def test_every_mistake_is_one_line_naming_file_and_key(tmp_path, text, expected):
    line = refusal(tmp_path, text)
    assert line.startswith("invalid setting CITEBOT_CORPORA: ") and str(tmp_path / "corpora.toml") in line
    assert expected.removeprefix("repo_url: Value error, ") in line, line


def test_a_missing_file_and_a_shared_index_dir_are_refused(tmp_path):
    with pytest.raises(ValidationError) as caught:
        BotSettings(_env_file=None, discord_token=TOKEN, corpora=str(tmp_path / "nope.toml"))
    assert invalid_setting(caught.value).startswith("invalid setting CITEBOT_CORPORA: cannot read ")
    line = refusal(tmp_path, "[corpus.a]\ndocs_dir = 'x'\nindex_dir = 'same'\n[corpus.b]\ndocs_dir = 'y'\n"
                             "index_dir = 'same'\n")
    assert line == f"invalid settings: CITEBOT_CORPORA: corpora 'a' and 'b' share the index directory {tmp_path / 'same'}"


def test_not_utf8_is_one_line(tmp_path):
    (tmp_path / "c.toml").write_bytes(b"[corpus.a]\ndocs_dir = '\xff'\n")
    with pytest.raises(ValueError, match="is not UTF-8"):
        read_corpora(tmp_path / "c.toml")


def test_the_channel_beats_the_thread_parent_beats_the_guild_beats_default(tmp_path):
    settings = settings_with(tmp_path, TOML)
    service = CitebotService(settings, FakeEngine(), opener=lambda s, e: FakeEngine(), builder=lambda s, e: None)
    name = lambda *where: service.corpus_for(*where).name  # noqa: E731
    assert name(None) == "default"  # a DM
    assert name(999) == "default"  # a server the file does not name
    assert name(111111111111111111, 5) == "httpx"
    assert name(111111111111111111, 333333333333333333) == "requests"  # the channel mapping wins
    assert name(111111111111111111, 7, 333333333333333333) == "requests"  # a thread in that channel
    assert name(None, 333333333333333333) == "requests"
    assert service.corpora["httpx"].settings.docs_dir == tmp_path / "httpx" / "docs"
