"""`citebot run` without a token: one line on stderr, exit code 2, no traceback (real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60
    )


def assert_token_missing(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("CITEBOT_DISCORD_TOKEN is not set: ")
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_run_command_without_token_exits_2(tmp_path):
    assert_token_missing(run("import sys; from bot.cli import run_command; sys.exit(run_command())", tmp_path))


def test_empty_token_in_dotenv_counts_as_missing(tmp_path):
    (tmp_path / ".env").write_text("CITEBOT_DISCORD_TOKEN=\nCITEBOT_GUILD_ID=\n", encoding="utf-8")
    assert_token_missing(run("import sys; from bot.cli import run_command; sys.exit(run_command())", tmp_path))


def test_citebot_run_registered_on_the_main_cli(tmp_path):
    pytest.importorskip("index.cli")
    code = (
        "from importlib.metadata import entry_points\n"
        "import index.cli as cli\n"
        "if not any(ep.name == 'run' for ep in entry_points(group='citebot.commands')):\n"
        "    from bot.cli import register; register(cli.app)  # package not pip-installed here\n"
        "cli.main()\n"
    )
    assert_token_missing(run(code, tmp_path, "run"))


def test_invalid_setting_is_one_line(tmp_path):
    proc = run("import sys; from bot.cli import run_command; sys.exit(run_command())", tmp_path,
               CITEBOT_DISCORD_TOKEN="secret-value-123", CITEBOT_COOLDOWN_RATE="lots")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("invalid setting CITEBOT_COOLDOWN_RATE: ")
    assert "secret-value-123" not in proc.stderr


def test_importing_the_plugin_does_not_import_discord(tmp_path):
    proc = run("import sys, bot.cli; print('discord' in sys.modules, 'torch' in sys.modules)", tmp_path)
    assert proc.stdout.strip() == "False False", proc.stderr
