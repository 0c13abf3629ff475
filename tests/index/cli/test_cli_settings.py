"""Invalid settings and odd input as a user meets them: one line naming the variable and the rule, for
every command; batch mode answers every input line with exactly one output line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic.fields import FieldInfo

from tests.conftest import ROOT, SEEDS


def run(*args: str | bytes, env: dict[str, str] | None = None, stdin: bytes | None = None,
        cwd: Path = ROOT) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ.setdefault("CITEBOT_MODEL_CACHE_DIR", str(ROOT / ".citebot" / "models"))
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "index", *args], input=stdin, capture_output=True, env=environ, cwd=cwd,
        timeout=300,
    )


def one_line(proc: subprocess.CompletedProcess, *needles: str, code: int = 2) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("DEBUG:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert proc.returncode == code, err
    return lines[0]


# every command of the CLI, with arguments that get it as far as reading the settings
COMMANDS = {
    "ask": ["ask", "who praised him?"],
    "index build": ["index", "build", "--docs", str(SEEDS), "--quiet"],
    "index info": ["index", "info"],
    "eval": ["eval"],
    "bench": ["bench", "--only", "build", "--limit", "5"],
    "run": ["run"],
    "feedback export": ["feedback", "export", "--qa", "golden.jsonl"],
    "feedback forget": ["feedback", "forget", "--user", "123"],
    "feedback gaps": ["feedback", "gaps"],
    "feedback purge": ["feedback", "purge"],
}


def leaf_commands() -> set[str]:
    import typer

    from index import cli

    cli._register_builtin()
    cli._register_plugins()

    def walk(cmd: object, prefix: str) -> set[str]:
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click)
            return set().union(*(walk(sub, f"{prefix} {name}".strip()) for name, sub in cmd.commands.items()))
        return {prefix}

    return walk(typer.main.get_command(cli.app), "")


def test_the_list_covers_every_command() -> None:
    assert leaf_commands() == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_invalid_setting_is_one_line_for_every_command(command: str, tmp_path: Path) -> None:
    """`CITEBOT_TOP_K=0 citebot ask q` printed a 44-line pydantic traceback (ask, index build, index info)."""
    env = {
        "CITEBOT_TOP_K": "0",
        "CITEBOT_INDEX_DIR": str(tmp_path / "index"),
        "CITEBOT_DISCORD_TOKEN": "not.a.real.token",
        "CITEBOT_FEEDBACK_DB": str(tmp_path / "fb.sqlite3"),
    }
    line = one_line(run(*COMMANDS[command], env=env, cwd=tmp_path), "CITEBOT_TOP_K", "greater than or equal to 1")
    assert "not.a.real.token" not in line


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("CITEBOT_MAX_QUESTION_CHARS", "100000", "less than or equal to 4000"),
        ("CITEBOT_MAX_QUESTION_CHARS", "-5", "greater than or equal to 10"),
        ("CITEBOT_BACKEND", "gpu", "'torch', 'onnx' or 'onnx-int8'"),
        ("CITEBOT_BATCH_SIZE", "-1", "greater than or equal to 1"),
        ("CITEBOT_TOP_K", "inf", "integer"),
        ("CITEBOT_EXCLUDE", "[drafts/", "JSON list"),
        ("CITEBOT_RESPECT_GITIGNORE", "maybe", "boolean"),
    ],
)
def test_invalid_values_name_the_variable_and_the_rule(variable: str, value: str, rule: str, tmp_path: Path) -> None:
    one_line(run("ask", "q", env={variable: value}, cwd=tmp_path), variable, rule)


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("CITEBOT_COOLDOWN_SECONDS", "inf", "finite"),
        ("CITEBOT_COOLDOWN_SECONDS", "nan", "finite"),
        ("CITEBOT_COOLDOWN_SECONDS", "-1", "greater than 0"),
        ("CITEBOT_GUILD_ID", "-3", "greater than or equal to 1"),
        ("CITEBOT_ADMIN_IDS", "12,-4", "greater than or equal to 1"),
        ("CITEBOT_SHARD_COUNT", "0", "greater than or equal to 1"),
    ],
)
def test_invalid_bot_values_are_refused(variable: str, value: str, rule: str, tmp_path: Path) -> None:
    env = {variable: value, "CITEBOT_DISCORD_TOKEN": "x", "CITEBOT_INDEX_DIR": str(tmp_path / "i")}
    one_line(run("run", env=env, cwd=tmp_path), variable, rule)


def _numeric(annotation: object) -> bool:
    """int, float, or a list / optional / Annotated of them."""
    if annotation in (int, float):
        return True
    return any(_numeric(a) for a in typing.get_args(annotation) if not isinstance(a, FieldInfo))


def test_every_numeric_setting_is_bounded() -> None:
    """No number setting takes inf, nan or a negative value (none has a meaning for any of them)."""
    from pydantic import ValidationError

    from bot.settings import BotSettings

    numeric = [name for name, f in BotSettings.model_fields.items() if _numeric(f.annotation)]
    assert {"top_k", "max_question_chars", "cooldown_seconds", "guild_id", "admin_ids"} <= set(numeric)
    for name in numeric:
        for bad in ("inf", "nan", "-1", "-1e30"):
            with pytest.raises(ValidationError):
                BotSettings(_env_file=None, discord_token="x", **{name: bad})


def test_a_settings_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"CITEBOT_TOP_K=\xff5\n")
    one_line(run("ask", "q", cwd=tmp_path), "cannot read the settings file .env", "not UTF-8")


# --- batch mode -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli-seed") / "index"
    built = run("index", "build", "--docs", str(SEEDS), "--quiet", env={"CITEBOT_INDEX_DIR": str(index)})
    assert built.returncode == 0, built.stderr
    return index


@pytest.mark.model
def test_batch_mode_gives_every_input_line_one_output_line(seed_cli_index: Path) -> None:
    """A blank line gave no output line (answers stopped lining up with questions), and a byte that is
    not UTF-8 raised a TypeError that dropped every remaining question."""
    stdin = b"who praised him?\n\n   \ncaf\xe9 owner?\nhow old is the\x00 caretaker?\n" + b"x" * 600 + b"\nWho won the 2018 World Cup?"
    proc = run("ask", "-", "--json", env={"CITEBOT_INDEX_DIR": str(seed_cli_index)}, stdin=stdin)
    err = proc.stderr.decode()
    assert "Traceback" not in err
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(rows) == 7
    assert rows[0]["question"] == "who praised him?" and not rows[0]["abstained"]
    assert rows[1] == {"question": "", "error": rows[1]["error"]} and "empty" in rows[1]["error"]
    assert rows[2]["question"] == "" and "empty" in rows[2]["error"]
    assert rows[3]["question"] == "caf\ufffd owner?" and "citations" in rows[3]
    assert "39" in rows[4]["citations"][0]["quote"]
    assert "error" in rows[5] and "4000" not in rows[5]["error"] and "500" in rows[5]["error"]
    assert rows[6]["question"] == "Who won the 2018 World Cup?" and rows[6]["abstained"]
    assert proc.returncode == 1  # some lines could not be asked
    assert "line 4 is not valid UTF-8" in err


@pytest.mark.model
def test_a_question_argument_that_is_not_utf8_is_answered(seed_cli_index: Path) -> None:
    proc = run("ask", b"who praised h\xefm?", "--json", env={"CITEBOT_INDEX_DIR": str(seed_cli_index)})
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["question"] == "who praised h\ufffdm?"
    assert "Traceback" not in proc.stderr.decode()


def test_index_info_with_an_index_option_still_reads_the_settings(tmp_path: Path) -> None:
    """`--index` once skipped the settings, so an invalid one went unnoticed by `index info`."""
    line = one_line(run("index", "info", "--index", str(tmp_path / "i"), env={"CITEBOT_TOP_K": "0"}, cwd=tmp_path),
                    "CITEBOT_TOP_K")
    assert "greater than or equal to 1" in line
