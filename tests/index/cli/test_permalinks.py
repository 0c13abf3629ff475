"""Permalinks end to end, as a maintainer meets them: a docs folder in a git checkout, built and asked
through the real ``citebot`` command with ``CITEBOT_REPO_URL`` set (issue 10: "permalinks work for a
git checkout"; ``index info`` shows the commit and when it was indexed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

REPO_URL = "https://github.com/org/widget"
GUIDE = """\
# Widget

## Timeouts

Widget waits five seconds by default.

The caretaker of the widget is 39 years old.

```python
client = widget.Client(timeout=10.0)
```
"""


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "HOME": str(repo), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def _citebot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "index", *args], capture_output=True, text=True,
                          env=os.environ | env, cwd=ROOT, timeout=300)


@pytest.mark.model
def test_a_git_checkout_gets_line_exact_permalinks(tmp_path: Path) -> None:
    repo = tmp_path / "widget"
    (repo / "docs" / "user guide").mkdir(parents=True)
    (repo / "docs" / "user guide" / "timeouts.md").write_text(GUIDE)
    (repo / "README.md").write_text("# Widget\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "docs")
    sha = _git(repo, "rev-parse", "HEAD").strip()
    env = {"CITEBOT_INDEX_DIR": str(tmp_path / "index"), "CITEBOT_REPO_URL": REPO_URL}

    built = _citebot("index", "build", "--docs", str(repo / "docs"), "--quiet", env=env)
    assert built.returncode == 0, built.stderr
    assert f"at commit {sha[:12]}" in built.stdout

    info = json.loads(_citebot("index", "info", env=env).stdout)
    assert info["commit"] == sha and info["indexed_at"].endswith("+00:00")

    answer = json.loads(_citebot("ask", "how old is the caretaker?", "--json", env=env).stdout)
    c = answer["citations"][0]
    assert "39 years old" in c["quote"] and c["source"] == "user guide/timeouts.md"
    text = (repo / "docs" / "user guide" / "timeouts.md").read_text()
    assert text[c["char_start"] : c["char_end"]] == c["quote"]
    line = text.count("\n", 0, c["char_start"]) + 1
    last = text.count("\n", 0, c["char_end"] - 1) + 1
    anchor = f"#L{line}" if line == last else f"#L{line}-L{last}"
    assert c["url"] == f"{REPO_URL}/blob/{sha}/docs/user%20guide/timeouts.md{anchor}"

    code = json.loads(_citebot("ask", "show me an example of setting a timeout on the client", "--json", env=env).stdout)
    block = next(x for x in code["citations"] if "widget.Client" in x["quote"])
    assert block["url"] == f"{REPO_URL}/blob/{sha}/docs/user%20guide/timeouts.md#L10"

    # a file changed since the commit: its lines are not the commit's, so no permalink for it
    (repo / "docs" / "user guide" / "timeouts.md").write_text(GUIDE.replace("five", "ten"))
    assert _citebot("index", "build", "--docs", str(repo / "docs"), "--quiet", env=env).returncode == 0
    changed = json.loads(_citebot("ask", "how old is the caretaker?", "--json", env=env).stdout)
    assert changed["citations"] and all("url" not in x for x in changed["citations"])
