"""Builds that cannot hurt each other: two builds of one output folder take turns."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from buildkit import assert_same_outputs, make_corpus

import mapper.build.pipeline as pipeline

pytestmark = pytest.mark.usefixtures("stable_geodata")


def _start(corpus: Path, out: Path, *extra: str, hook: str = "",
           stderr: Path | None = None) -> subprocess.Popen:
    """``mapper build`` in a process of its own (its stderr to a file, when given)."""
    env = dict(os.environ)
    if hook:
        env["MAPPER_TEST_HOOK"] = hook
    return subprocess.Popen(
        [sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out", str(out), "-q",
         "--export", "all", *extra], env=env, stdout=subprocess.PIPE,
        stderr=stderr.open("w") if stderr else subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_two_builds_of_one_folder_take_turns(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 40)
    out = tmp_path / "out"
    pipeline.build(corpus, out, exports=("mentions.csv", "mentions.geojson"))
    make_corpus(corpus, 5, start=40)
    # The first build stops once it has planned (5 new articles), a second starts meanwhile
    # with one more article to add.
    go = tmp_path / "go"
    first = _start(corpus, out, hook=f"planned:wait={go}")
    _wait_for(Path(f"{go}.here"), first)
    make_corpus(corpus, 1, start=45)
    said = tmp_path / "second.err"
    second = _start(corpus, out, stderr=said)
    try:
        deadline = time.monotonic() + 60
        # It waits for the first (and says so), or, unlocked, races it to the end.
        while (second.poll() is None and time.monotonic() < deadline
               and "another build" not in said.read_text()):
            time.sleep(0.1)
        time.sleep(0.5)
        waited = second.poll() is None
        # A third, told not to wait, fails at once with its own exit code.
        third = _start(corpus, out, "--no-wait")
        third_said = third.communicate(timeout=120)[1]
        go.touch()
        outs = [p.communicate(timeout=120) for p in (first, second)]
    finally:
        for p in (first, second):
            if p.poll() is None:
                p.kill()
    assert [first.returncode, second.returncode] == [0, 0], outs
    assert waited, "the second build did not wait for the first"
    assert f"another build is writing {out}; waiting" in said.read_text()
    assert third.returncode == 4, third_said
    assert third_said.strip() == (f"Error: another build is writing {out}; try again when it "
                                  "is done (without --no-wait, mapper waits for it)")
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, exports=("mentions.csv", "mentions.geojson"))
    assert_same_outputs(out, cold)
