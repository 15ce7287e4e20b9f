"""Enormous input costs neither the map nor the memory: a 200 MB article is refused by name
without being read, a 5 MB one-line article is mapped, and the rest of the corpus is built."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


#: Runs its arguments as a child and prints the child's peak RSS (KB) on stderr's last line.
#: The build is started from this small process rather than from pytest: a process that
#: subprocess starts (vfork, then exec) counts its parent's peak RSS as its own, and the
#: test session's is past a gigabyte by then.
_MEASURE = ("import os, subprocess, sys\n"
            "child = subprocess.Popen(sys.argv[1:])\n"
            "_, status, usage = os.wait4(child.pid, 0)\n"
            "print(f'peak-kb {usage.ru_maxrss}', file=sys.stderr)\n"
            "sys.exit(os.waitstatus_to_exitcode(status))\n")


def _build(corpus: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess, float]:
    """Build in a child process; its peak RSS in MB (with the processes it waited for)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "mapper.cli", "build",
         str(corpus), "--out", str(out), "--export", "csv", "--quiet", *extra],
        capture_output=True, text=True, timeout=600,
    )
    *rest, last = done.stderr.rstrip("\n").split("\n")
    assert last.startswith("peak-kb "), done.stderr
    done.stderr = "\n".join(rest) + ("\n" if rest else "")
    return done, int(last.split()[1]) / 1024


def test_200_mb_article_is_refused_by_name_and_not_read(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    shutil.copy(SEEDS / "001_af361669c30f5528.txt", corpus / "good.txt")
    with (corpus / "huge.txt").open("wb") as fh:
        line = b"Kabul and Herat and Kandahar and Lashkar Gah and Doha. " * 100 + b"\n"
        for _ in range(200 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    done, peak_mb = _build(corpus, tmp_path / "maps")
    assert done.returncode == 3, done.stderr
    assert "huge.txt" in done.stderr and "over the limit" in done.stderr
    assert (tmp_path / "maps" / "index.html").exists()
    places = json.loads((tmp_path / "maps" / "places.geojson").read_text(encoding="utf-8"))
    assert "Kandahār" in {f["properties"]["name"] for f in places["features"]}
    # The build never held the 200 MB file (nor a 20 MB prefix of it many times over).
    assert peak_mb < 1200, f"peak RSS {peak_mb:.0f} MB"


def test_5_mb_single_line_article_is_mapped(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    filler = "The talks went on for weeks without any result that anyone could name "
    parts = []
    while sum(map(len, parts)) < 5_000_000:
        parts.append(filler * 30 + "while the Taliban advanced on Kunduz ")
    (corpus / "oneline.txt").write_text("".join(parts), encoding="utf-8")
    done, _ = _build(corpus, tmp_path / "maps")
    assert done.returncode == 0, done.stderr
    rows = (tmp_path / "maps" / "mentions.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) > 100
    assert all(len(r) < 5000 for r in rows), "excerpts are windows, not the 5 MB line"


def test_max_bytes_option_raises_the_limit(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    shutil.copy(SEEDS / "004_63138d52634a9ea7.txt", corpus / "a.txt")
    done, _ = _build(corpus, tmp_path / "maps", "--max-bytes", "1000")
    # Its only article skipped, the folder has nothing to map: no blank map, exit code 1.
    assert done.returncode == 1 and "a.txt" in done.stderr and "1,000" in done.stderr
    assert "nothing to map" in done.stderr
    done, _ = _build(corpus, tmp_path / "maps", "--max-bytes", "100000")
    assert done.returncode == 0, done.stderr
    places = json.loads((tmp_path / "maps" / "places.geojson").read_text(encoding="utf-8"))
    assert "Kunduz" in {f["properties"]["name"] for f in places["features"]}
