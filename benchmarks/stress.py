"""Overlapping builds, kills and new articles against one output folder; then the folder must
equal a clean build of the final corpus, byte for byte (the GeoPackage: the same rows).

    python benchmarks/stress.py                      # 2,000 articles, 20 builds
    python benchmarks/stress.py --n 300 --builds 8   # a quick look

Builds (``mapper build CORPUS --out OUT --export all``) are started one after another at
random short intervals, so that they overlap: each waits for the folder's lock while another
writes. Articles are added while they run. Three in ten are killed (SIGKILL to the build's
whole process group) at a random moment: while waiting, parsing or writing; two in ten at a
point of the commit (the journal written, the GeoPackage's commit, each rename) through
``MAPPER_TEST_HOOK``.
Then one last build runs to the end, and its folder is compared with a cold build of the
same corpus into a new folder. Not part of the test suite (minutes, not seconds); the
README's Robustness section gives its last result. Random choices follow ``--seed``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from buildkit import geopackage_rows, outputs  # noqa: E402  (the tests' helpers)
from corpus import write_corpus  # noqa: E402  (a script beside this one)

#: Where some builds are killed on purpose (see mapper/hooks.py): in the commit's window,
#: which a kill at a random moment seldom hits.
COMMIT_POINTS = ("journaled", "commit:places.gpkg", "rename:places.geojson",
                 "rename:mentions.csv", "rename:mentions.geojson", "rename:places.html",
                 "rename:index.html")


def _start(corpus: Path, out: Path, log: Path, hook: str = "") -> subprocess.Popen:
    """A build in a process group of its own (so a kill takes its workers too)."""
    env = dict(os.environ, MAPPER_TEST_HOOK=hook) if hook else None
    return subprocess.Popen(
        [sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out", str(out), "-q",
         "--export", "all", "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=log.open("w"), start_new_session=True, env=env)


def _differences(out: Path, clean: Path) -> list[str]:
    """What differs between the two folders' outputs (nothing: an empty list)."""
    got, want = outputs(out), outputs(clean)
    wrong = [f"{name}: missing" for name in sorted(want.keys() - got.keys())]
    wrong += [f"{name}: extra" for name in sorted(got.keys() - want.keys())]
    for name in sorted(want.keys() & got.keys()):
        if name.endswith(".gpkg"):
            try:
                same = geopackage_rows(out / name) == geopackage_rows(clean / name)
            except Exception as exc:  # noqa: BLE001 - a damaged file is a finding
                wrong.append(f"{name}: unreadable ({str(exc)[:120]})")
                continue
            if not same:
                wrong.append(f"{name}: other rows")
        elif got[name] != want[name]:
            wrong.append(f"{name}: other bytes ({len(got[name]):,} against "
                         f"{len(want[name]):,})")
    return wrong


def stress(n: int, builds: int, seed: int, work: Path) -> bool:
    rng = random.Random(seed)
    corpus, out, clean, logs = work / "corpus", work / "out", work / "clean", work / "logs"
    logs.mkdir(parents=True)
    write_corpus(corpus, n, seed=1)
    started = time.monotonic()
    first = subprocess.run([sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out",
                            str(out), "-q", "--export", "all", "--jobs", "2"])
    print(f"first build of {n:,} articles: {time.monotonic() - started:.1f} s "
          f"(exit {first.returncode})")
    running: list[tuple[str, subprocess.Popen, float | None]] = []
    ends: Counter[str] = Counter()
    added = 0
    t0 = time.monotonic()
    for i in range(builds):
        dice = rng.random()
        kill_at = time.monotonic() + rng.uniform(0.3, 12.0) if dice < 0.3 else None
        hook = f"{rng.choice(COMMIT_POINTS)}:killgroup" if 0.3 <= dice < 0.5 else ""
        if rng.random() < 0.6 or hook:  # new articles while builds run (one to commit)
            k = rng.randint(1, 30)
            write_corpus(corpus, n + added + k, seed=1, start=n + added)
            added += k
        running.append((hook.rpartition(":")[0], _start(corpus, out, logs / f"{i:02d}.err",
                                                         hook), kill_at))
        deadline = time.monotonic() + rng.uniform(0.1, 2.0)
        while time.monotonic() < deadline:
            _reap(running, ends)
            time.sleep(0.05)
    while running:
        _reap(running, ends)
        time.sleep(0.05)
    overlapped = time.monotonic() - t0
    last = subprocess.run([sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out",
                           str(out), "-q", "--export", "all"], capture_output=True, text=True)
    ends[f"final build exit {last.returncode}"] += 1
    subprocess.run([sys.executable, "-m", "mapper.cli", "build", str(corpus), "--out",
                    str(clean), "-q", "--export", "all"], check=True)
    tracebacks = [p.name for p in sorted(logs.iterdir()) if "Traceback" in p.read_text()]
    waited = sum("waiting" in p.read_text() for p in logs.iterdir())
    leftovers = sorted(p.name for p in out.iterdir()
                       if p.name.startswith(".") and p.name != ".mapper.lock")
    wrong = _differences(out, clean)
    print(f"{builds} overlapping builds in {overlapped:.0f} s, {added} articles added "
          f"({n + added:,} in all); {waited} said they waited for another")
    for what, count in sorted(ends.items()):
        print(f"  {count:3d}  {what}")
    print(f"tracebacks: {tracebacks or 'none'}; temporary files left: {leftovers or 'none'}")
    print("final folder against a clean build: "
          + ("identical (text files byte for byte, GeoPackage rows)" if not wrong else
             "DIFFERENT: " + "; ".join(wrong)))
    if last.returncode != 0:
        print(last.stderr)
    return not wrong and not tracebacks and not leftovers and last.returncode == 0


def _reap(running: list, ends: Counter) -> None:
    """Kill the builds whose time has come; count those that ended."""
    for entry in list(running):
        point, proc, kill_at = entry
        if proc.poll() is None and kill_at is not None and time.monotonic() >= kill_at:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        code = proc.poll()
        if code is not None:
            running.remove(entry)
            if code != -signal.SIGKILL:
                ends[f"exit {code}" + (f" (nothing to commit: not killed at {point})"
                                       if point else "")] += 1
            else:
                ends[f"killed at {point}" if point else "killed at a random moment"] += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="articles to start with")
    ap.add_argument("--builds", type=int, default=20, help="overlapping builds")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mapper-stress-"))
    try:
        ok = stress(args.n, args.builds, args.seed, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
