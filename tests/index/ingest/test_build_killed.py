"""A real ``kill -9`` of a build process at each of its stages: the index keeps answering, from the old
generation (or, once the pointer has flipped, from the new one), and the next build cleans up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.ingest.builder import build_index
from index.query.engine import Engine
from index.settings import Settings
from index.storage.manifest import Manifest
from tests.conftest import ROOT, FakeEmbedder

CHILD = r"""
import sys, time
from pathlib import Path

import numpy as np

from index.ingest import builder
from index.settings import Settings
from index.storage import generations, store
from tests.conftest import FakeEmbedder

stage, docs, index, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])


def pause(*args, **kwargs):
    marker.write_text(stage)
    time.sleep(600)


embedder = FakeEmbedder()
if stage == "embedding":
    embedder.encode = pause
elif stage == "writing":  # some files of the new generation written, not all
    real_save, saved = np.save, []

    def save(*args, **kwargs):
        real_save(*args, **kwargs)
        saved.append(1)
        if len(saved) == 2:
            pause()

    store.np.save = save
elif stage == "checking":  # written and checksummed, being read back
    real_read = builder.read_index
    builder.read_index = lambda *a, **k: pause()
elif stage == "flip":  # the generation renamed into place, the pointer not yet written
    generations.write_atomic = pause
elif stage == "prune":  # the pointer flipped, the old generations not yet pruned
    generations.prune = pause
builder.build_index(Settings(docs_dir=docs, index_dir=index), embedder=embedder)
"""

STAGES = ["embedding", "writing", "checking", "flip", "prune"]
DOCS = {
    "fire.txt": "A caretaker saved two babies from a burning building in Paris.\nHe is 39 years old.",
    "space.txt": "The Moon orbits the Earth every 27 days.\nMars has two small moons.",
}


def kill_at(stage: str, docs: Path, index: Path, tmp_path: Path) -> None:
    marker = tmp_path / f"{stage}.reached"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, stage, str(docs), str(index), str(marker)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(f"the build ended before {stage}: {proc.stderr.read().decode()[-2000:]}")
            assert time.monotonic() < deadline, f"stage {stage} not reached"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("stage", STAGES)
def test_kill_9_at_every_stage(tmp_path: Path, stage: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text)
    settings = Settings(docs_dir=docs, index_dir=tmp_path / "index")
    embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)
    before = Engine.open(settings, embedder=embedder).ask("caretaker babies Paris").to_json()
    (docs / "new.txt").write_text("Completely new text about volcanoes erupting.")

    kill_at(stage, docs, settings.index_dir, tmp_path)

    flipped = stage == "prune"
    sources = set(Manifest.of(settings.index_dir).documents)
    assert sources == set(DOCS) | ({"new.txt"} if flipped else set())
    engine = Engine.open(settings, embedder=embedder)
    after = engine.ask("caretaker babies Paris").to_json()
    if flipped:  # the new generation: same quotes, its passages may include the new document
        assert after["citations"] == before["citations"]
    else:
        assert after == before
    assert bool(engine.ask("volcanoes erupting").citations) == flipped

    build_index(settings, embedder=embedder)  # the next build succeeds and cleans up after the killed one
    names = sorted(p.name for p in settings.index_dir.iterdir())
    assert names[:2] == [".lock", "current.json"] and len(names) == 4, names
    assert not [n for n in names if "building" in n or ".tmp-" in n]
    assert "new.txt" in Manifest.of(settings.index_dir).documents
    pointer = json.loads((settings.index_dir / "current.json").read_text())["generation"]
    assert pointer == names[-1]
