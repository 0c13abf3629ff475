"""Every setting is documented in .env.example, and nothing there is stale."""

import re

from bot.settings import BotSettings
from index.settings import Settings
from tests.conftest import ROOT


def documented() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^(CITEBOT_[A-Z0-9_]+)=", text, flags=re.M))


def test_every_setting_is_in_env_example() -> None:
    fields = {f"CITEBOT_{name.upper()}" for name in (*Settings.model_fields, *BotSettings.model_fields)}
    assert fields - documented() == set(), "add these to .env.example"
    assert documented() - fields == set(), "these are in .env.example but are no settings"


def test_env_example_values_parse(monkeypatch) -> None:  # noqa: ANN001
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("CITEBOT_") and not line.startswith("CITEBOT_DISCORD_TOKEN"):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("CITEBOT_DISCORD_TOKEN", "x")
    s = BotSettings(_env_file=None)
    assert s.chunk_tokens == 128 and s.backend == "onnx-int8"
