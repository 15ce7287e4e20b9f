"""Where a cold ``mapper build`` holds its memory: the build process's RSS, stage by stage.

    python benchmarks/memory.py CORPUS_DIR OUT_DIR [--jobs 2]

OUT_DIR is emptied first. A thread reads ``VmRSS`` every 20 ms and keeps, per stage, the RSS
when the stage began and its peak. Stages are the steps the build's threads are in (the
functions wrapped below, joined by `` | `` when the exports run beside the map). The last
line is the RSS after ``malloc_trim``: how much of it was memory freed but kept by the
allocator. (The pool workers and the exports' child are other processes: see run.py's PSS.)
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import shutil
import threading
import time
from typing import Any

import mapper.build.index as index
import mapper.build.mapview as mapview
import mapper.build.parsing as parsing
import mapper.build.pipeline as pipeline
import mapper.build.plan as plan
import mapper.build.writing as writing
import mapper.exports.write as exports

#: (object, attribute, stage): what is wrapped to name the stage a thread is in.
WRAPPED = [
    (plan, "scan", "scan"), (parsing, "parse_changes", "parse"),
    (pipeline, "_ready_parser", "gazetteer"), (writing, "places_frame_of", "places frame"),
    (writing, "payload_from_fragments", "payload"), (writing, "stage_page", "page"),
    (index.ArticleIndex, "ensure_indexes", "secondary indexes"),
    (mapview.MapView, "refresh", "refresh"), (mapview.MapView, "place_counts", "place counts"),
    (mapview.MapView, "map_fragments", "map fragments"),
    (exports, "write_mention_files", "mention files"),
    (exports, "write_places_geojson", "places.geojson"),
    (exports, "write_geopackage", "GeoPackage"), (exports, "update_geopackage", "GeoPackage"),
]

_stages: dict[str, str] = {}  # thread name -> its stage


def _now() -> str:
    return " | ".join(v for _, v in sorted(_stages.items()) if v) or "other"


def _wrap(owner: Any, name: str, stage: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def staged(*args: Any, **kwargs: Any) -> Any:
        thread = threading.current_thread().name
        before = _stages.get(thread, "")
        _stages[thread] = stage
        try:
            return fn(*args, **kwargs)
        finally:
            _stages[thread] = before

    setattr(owner, name, staged)


def _rss_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    for owner, name, stage in WRAPPED:
        _wrap(owner, name, stage)
    peaks: dict[str, list[int]] = {}  # stage -> [RSS when first seen, peak]

    def sample() -> None:
        while True:
            rss, stage = _rss_mb(), _now()
            seen = peaks.setdefault(stage, [rss, rss])
            seen[1] = max(seen[1], rss)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    shutil.rmtree(args.out, ignore_errors=True)
    started = time.perf_counter()
    result = pipeline.build(args.corpus, args.out, jobs=args.jobs)
    time.sleep(0.1)
    print(f"{result.articles:,} articles, {time.perf_counter() - started:.0f} s; RSS of the "
          "build process in MB, per stage (when it began, its peak):")
    for stage, (first, peak) in peaks.items():
        print(f"  {stage:42s} {first:6d} {peak:6d}")
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    print(f"after malloc_trim: {_rss_mb()} MB")


if __name__ == "__main__":
    main()
