"""The held-out sets' fetcher: sha256 check, unpacking of the docs folder only, the verbatim check."""

import hashlib
import io
import json
import tarfile

import pytest

from index.evaluation import heldout


def make_sdist(path, files):
    with tarfile.open(path, "w:gz") as tf:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def held_set(tmp_path):
    cache = tmp_path / "dest" / "sdists"
    cache.mkdir(parents=True)
    sha = make_sdist(cache / "demo-1.0.tar.gz", {
        "demo-1.0/docs/index.md": "# Demo\n\nTimeouts default to five seconds.\n",
        "demo-1.0/docs/api/client.md": "Use `Client(timeout=10)` to change it.\n",
        "demo-1.0/src/demo.py": "print('not docs')\n",
        "demo-1.0/docs/../../escape.txt": "never written\n",
    })
    set_dir = tmp_path / "sets" / "demo"
    set_dir.mkdir(parents=True)
    (set_dir / "source.json").write_text(json.dumps({
        "requirement": "demo==1.0", "sdist": "demo-1.0.tar.gz", "sha256": sha,
        "docs_dir": "demo-1.0/docs", "license": "MIT"}))
    rows = [{"q": "default timeout?", "any": ["default to five seconds"], "file": "docs/index.md",
             "kind": "default", "abstain": False},
            {"q": "async?", "any": [], "file": None, "kind": "unanswerable", "abstain": True}]
    (set_dir / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path, set_dir


def heldout_main(root, action, *names):
    """``python -m index.evaluation.heldout <action>`` over the fixture's sets and destination."""
    return heldout.main([action, *names, "--sets", str(root / "sets"), "--dest", str(root / "dest")])


def add_question(set_dir, row):
    """Append one docsqa row to the set's questions.jsonl."""
    with (set_dir / "questions.jsonl").open("a") as fh:
        fh.write(json.dumps(row) + "\n")


def test_fetch_unpacks_only_the_docs_folder_and_checks(held_set, capsys):
    root, _ = held_set
    rc = heldout_main(root, "fetch")
    corpus = root / "dest" / "demo" / "corpus"
    assert rc == 0
    assert sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()) == [
        "docs/api/client.md", "docs/index.md"]
    assert not (root / "escape.txt").exists() and not (root / "dest" / "escape.txt").exists()
    assert "every any string is verbatim" in capsys.readouterr().out


def test_a_wrong_sha256_is_refused(held_set, capsys):
    root, set_dir = held_set
    source = json.loads((set_dir / "source.json").read_text())
    source["sha256"] = "0" * 64
    (set_dir / "source.json").write_text(json.dumps(source))
    assert heldout_main(root, "fetch") == 1
    assert "sha256" in capsys.readouterr().err
    assert not (root / "dest" / "demo" / "corpus").exists()


def test_check_names_an_any_string_that_is_not_verbatim(held_set, capsys):
    root, set_dir = held_set
    heldout_main(root, "fetch")
    add_question(set_dir, {"q": "x", "any": ["Timeouts default to 5 seconds"], "file": "docs/index.md",
                            "kind": "default", "abstain": False})
    assert heldout_main(root, "check") == 1
    assert "questions.jsonl:3: 'Timeouts default to 5 seconds' is not verbatim in docs/index.md" in capsys.readouterr().out


def test_an_unknown_set_name_is_one_line(held_set, capsys):
    root, _ = held_set
    assert heldout.main(["check", "nope", "--sets", str(root / "sets")]) == 1
    assert capsys.readouterr().err.strip() == f"held-out sets: no held-out set named nope in {root / 'sets'}"


@pytest.mark.parametrize(("row", "problem"), [
    ({"q": "a", "any": ["x"], "file": "docs/index.md", "kind": "default"}, "keys must be exactly"),
    ({"q": "a", "any": [], "file": None, "kind": "howto", "abstain": True}, "abstain must be true exactly"),
    ({"q": "a", "any": ["Demo"], "file": None, "kind": "unanswerable", "abstain": True}, "has any [] and file null"),
    ({"q": "a", "any": [], "file": "docs/index.md", "kind": "howto", "abstain": False}, "1 to 3 non-empty"),
    ({"q": "a", "any": ["Demo\n\nTimeouts"], "file": "docs/index.md", "kind": "howto", "abstain": False},
     "spans lines of docs/index.md"),
    ({"q": "a", "any": ["Demo"], "file": "docs/nope.md", "kind": "howto", "abstain": False}, "is not in"),
    ({"q": "Default  TIMEOUT?", "any": ["Demo"], "file": "docs/index.md", "kind": "howto", "abstain": False},
     "the question of line 1 again"),
])
def test_check_enforces_the_docsqa_rules(held_set, row, problem, capsys):
    root, set_dir = held_set
    heldout_main(root, "fetch")
    add_question(set_dir, row)
    assert heldout_main(root, "check") == 1
    assert problem in capsys.readouterr().out


def test_fetch_places_the_questions_beside_the_corpus_as_a_docsqa_folder(held_set):
    root, set_dir = held_set
    assert heldout_main(root, "fetch") == 0
    folder = root / "dest" / "demo"
    assert (folder / "questions.jsonl").read_text() == (set_dir / "questions.jsonl").read_text()
    assert (folder / "corpus" / "docs" / "index.md").is_file()


def test_check_names_a_questions_copy_older_than_the_set(held_set, capsys):
    root, set_dir = held_set
    heldout_main(root, "fetch")
    add_question(set_dir, {"q": "where are the docs?", "any": ["Demo"], "file": "docs/index.md",
                            "kind": "factual", "abstain": False})
    assert heldout_main(root, "check") == 1
    assert "questions.jsonl is older than" in capsys.readouterr().out
    assert heldout_main(root, "fetch") == 0
