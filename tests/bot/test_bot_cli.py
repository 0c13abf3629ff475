"""`citebot run` without a token: one line on stderr, exit code 2, no traceback (real subprocesses)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from botfakes import CALLBACK, TOKEN, callback_of, original_of
from fake_discord import GUILD_ID, FakeDiscord

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


def test_a_bad_corpora_file_stops_run_with_one_line(tmp_path):
    (tmp_path / "corpora.toml").write_text("[corpus.a]\ndocs_dir = 'a'\nguilds = [5]\n[corpus.b]\ndocs_dir = 'b'\n"
                                           "guilds = [5]\n", encoding="utf-8")
    proc = run("import sys; from bot.cli import run_command; sys.exit(run_command())", tmp_path,
               CITEBOT_DISCORD_TOKEN="secret-value-123", CITEBOT_CORPORA="corpora.toml")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "invalid setting CITEBOT_CORPORA: corpora.toml: guild 5 is mapped to both 'a' and 'b'"
    ]


def test_importing_the_plugin_does_not_import_discord(tmp_path):
    proc = run("import sys, bot.cli; print('discord' in sys.modules, 'torch' in sys.modules)", tmp_path)
    assert proc.stdout.strip() == "False False", proc.stderr


# ---------------------------------------------------------------- the real `run` against the fake Discord


async def start_cli(fake, tmp_path: Path, token: str, **env: str) -> asyncio.subprocess.Process:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    environ.update(
        CITEBOT_DISCORD_TOKEN=token,
        CITEBOT_DISCORD_API_BASE=fake.api_base,
        CITEBOT_DISCORD_GATEWAY=fake.gateway_url,
        CITEBOT_INDEX_DIR=str(tmp_path / "no-index"),
        CITEBOT_FEEDBACK_DB=str(tmp_path / "fb.sqlite3"),
        CITEBOT_GUILD_ID=str(GUILD_ID),
    )
    environ.update(env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", cwd=tmp_path, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        # a suite started in the background (`cmd &`) passes SIGINT on as ignored, and Python then keeps
        # ignoring Ctrl-C: give the bot the disposition a terminal would
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_run_connects_from_settings_and_stops_cleanly(tmp_path, stop):
    """Ctrl-C, and SIGTERM (docker stop, systemctl stop): exit 0, the gateway closed, no traceback."""
    fake = await FakeDiscord(token=TOKEN).start()
    try:
        proc = await start_cli(fake, tmp_path, TOKEN, PYTHONFAULTHANDLER="1")
        try:
            await asyncio.wait_for(fake.ready.wait(), 30)
            await fake.wait_for("PUT", rf"/guilds/{GUILD_ID}/commands$", timeout=30)
            interaction = await fake.slash("status")
            callback = await callback_of(fake, interaction, timeout=30)
            assert "no index at" in callback["data"]["embeds"][0]["description"]  # starts anyway; /reindex can build
            proc.send_signal(stop)
            communicate = asyncio.ensure_future(proc.communicate())
            done, _ = await asyncio.wait({communicate}, timeout=60)
            if not done:  # dump every thread's stack (PYTHONFAULTHANDLER) to see where the exit stalls
                proc.send_signal(signal.SIGABRT)
                _, stderr = await communicate
                pytest.fail(f"the bot did not exit within 60 s of {stop.name}; its log ends:\n" + stderr.decode()[-6000:])
            _, stderr = communicate.result()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, stderr.decode()
        assert TOKEN not in stderr.decode()
        assert "Traceback" not in stderr.decode()
        if stop == signal.SIGTERM:
            assert "SIGTERM: finishing 0 question(s)" in stderr.decode() and "Disconnected" in stderr.decode()
    finally:
        await fake.close()


@pytest.mark.parametrize("case", ["bad token", "intent not enabled"])
async def test_run_refusals_are_one_line(tmp_path, case):
    fake = await FakeDiscord(token=TOKEN, allow_message_content=False).start()
    try:
        if case == "bad token":
            proc = await start_cli(fake, tmp_path, "WRONG.token.value")
            expected = "Discord rejected CITEBOT_DISCORD_TOKEN"
        else:
            proc = await start_cli(fake, tmp_path, TOKEN, CITEBOT_MESSAGE_CONTENT="true")
            expected = "CITEBOT_MESSAGE_CONTENT=true needs the Message Content intent"
        try:
            _, stderr = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        text = stderr.decode()
        assert proc.returncode == 2, text
        assert text.strip().splitlines()[-1].startswith(expected), text
        assert "Traceback" not in text and "WRONG.token.value" not in text and TOKEN not in text
    finally:
        await fake.close()


# ---------------------------------------------------------------- no Discord to talk to (issue 14.12)


async def _run_to_end(proc: asyncio.subprocess.Process, timeout: float) -> str:
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return stderr.decode()


async def test_run_without_dns_is_one_line(tmp_path):
    class Unresolvable:  # what start_cli needs of a fake: a host that never resolves (RFC 2606 .invalid)
        api_base = "https://discord.invalid/api/v10"
        gateway_url = "wss://gateway.discord.invalid"

    proc = await start_cli(Unresolvable(), tmp_path, TOKEN)
    text = await _run_to_end(proc, 60)
    assert proc.returncode == 2, text
    lines = text.strip().splitlines()
    assert lines[-1].startswith("cannot reach Discord at https://discord.invalid/api/v10: "), text
    assert "Traceback" not in text and TOKEN not in text
    assert len(lines) <= 3, text  # the one line, after at most discord.py's "logging in" info lines


async def test_run_against_an_api_that_never_answers_gives_up_in_time(tmp_path):
    accepted: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # read nothing, answer nothing

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    class Silent:
        api_base = f"http://127.0.0.1:{port}/api/v10"
        gateway_url = f"ws://127.0.0.1:{port}/gateway"

    try:
        began = asyncio.get_running_loop().time()
        proc = await start_cli(Silent(), tmp_path, TOKEN, CITEBOT_CONNECT_TIMEOUT="2")
        text = await _run_to_end(proc, 60)
        elapsed = asyncio.get_running_loop().time() - began
    finally:
        for w in accepted:
            w.close()
        server.close()
        await server.wait_closed()
    assert proc.returncode == 2, text
    assert text.strip().splitlines()[-1] == f"cannot reach Discord at {Silent.api_base}: no answer within 2 s", text
    assert "Traceback" not in text
    assert accepted and elapsed < 30  # bounded: the login gave up after 2 s (plus interpreter start-up)


# ---------------------------------------------------------------- citebot index build --corpus


def index_build_app():  # noqa: ANN201
    """``citebot index build`` as the console script has it: the index commands and the bot's plugin."""
    import typer

    from bot.cli import register
    from index.cli import build

    app, index_app = typer.Typer(), typer.Typer()
    app.add_typer(index_app, name="index")
    build.register(index_app)
    register(app)
    return app


@pytest.mark.parametrize("store", ["local", "postgres"])
def test_index_build_of_one_corpus_of_the_corpora_file(tmp_path, monkeypatch, fake_embedder, store, request):
    from test_bot_corpora import FIRE, GARDEN, write_docs
    from typer.testing import CliRunner

    import index.ingest.builder
    from index.cli import build

    write_docs(tmp_path / "fire", FIRE)
    write_docs(tmp_path / "garden", GARDEN)
    (tmp_path / "corpora.toml").write_text(
        '[corpus.fire]\ndocs_dir = "fire"\nguilds = [1]\n\n[corpus.garden]\ndocs_dir = "garden"\n'
        'index_dir = "garden-index"\nguilds = [2]\n', encoding="utf-8")
    for name in [k for k in os.environ if k.startswith("CITEBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    env = {"CITEBOT_CORPORA": str(tmp_path / "corpora.toml"), "CITEBOT_INDEX_DIR": str(tmp_path / "index"),
           "CITEBOT_STORE": store}
    if store == "postgres":
        env["CITEBOT_PG_DSN"] = request.getfixturevalue("pg_dsn")
    monkeypatch.setattr(index.ingest.builder, "load_embedder", lambda *a, **k: fake_embedder)
    monkeypatch.setattr(build, "_corpora", build._corpora)  # restored after the test
    app = index_build_app()

    got = CliRunner().invoke(app, ["index", "build", "--corpus", "garden", "--quiet"], env=env)
    assert got.exit_code == 0, got.output
    assert "2 documents" in got.output and str(tmp_path / "garden-index") in got.output
    assert (tmp_path / "garden-index").is_dir()
    assert not (tmp_path / "index-fire").exists() and not (tmp_path / "index").exists()  # only that corpus
    got = CliRunner().invoke(app, ["index", "build", "--corpus", "fire", "--quiet"], env=env)
    assert got.exit_code == 0 and (tmp_path / "index-fire").is_dir(), got.output  # beside CITEBOT_INDEX_DIR
    if store == "postgres":
        from index.storage.postgres.connection import connect
        from index.storage.postgres.generations import live_scope

        with connect(env["CITEBOT_PG_DSN"]) as conn:
            assert live_scope(conn, "garden").counts["documents"] == 2
            assert live_scope(conn, "fire").counts["documents"] == 2

    got = CliRunner().invoke(app, ["index", "build", "--corpus", "nope", "--quiet"], env=env)
    assert got.exit_code != 0 and "no corpus 'nope'" in str(got.exception)
    assert "default, fire, garden" in str(got.exception)


@pytest.mark.model
async def test_sigterm_lets_a_question_already_taken_be_answered(tmp_path, seed_index):
    """A question taken just before SIGTERM is answered in Discord before the bot disconnects: the
    drain waits for its handler to post the reply, not only for the engine's answer."""
    fake = await FakeDiscord(token=TOKEN).start()
    try:
        proc = await start_cli(fake, tmp_path, TOKEN, CITEBOT_INDEX_DIR=str(seed_index), CITEBOT_BACKEND="torch",
                                PYTHONFAULTHANDLER="1")
        try:
            await asyncio.wait_for(fake.ready.wait(), 30)
            await fake.wait_for("PUT", rf"/guilds/{GUILD_ID}/commands$", timeout=30)
            status = await callback_of(fake, await fake.slash("status"), timeout=30)
            assert "no index" not in str(status), status
            # a slow Discord: the deferral is still on its way when SIGTERM comes, the answer not yet made
            fake.response_delays[r"POST ^/interactions/\d+/[^/]+/callback$"] = 1.5
            interaction = await fake.slash("ask", question="who praised him?")
            deadline = asyncio.get_running_loop().time() + 30
            while not fake.find("POST", CALLBACK.format(id=interaction["id"])):
                assert asyncio.get_running_loop().time() < deadline, "the bot never deferred the question"
                await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGTERM)
            original = await original_of(fake, interaction, timeout=30)
            _, stderr = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0, stderr.decode()
        assert "Féraud" in str(original), original
        assert "SIGTERM: finishing 1 question(s)" in stderr.decode() and "Disconnected" in stderr.decode()
        assert "Traceback" not in stderr.decode() and "still unanswered" not in stderr.decode()
    finally:
        await fake.close()
