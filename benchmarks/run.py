"""Benchmark ``mapper build`` as the corpus grows: cold build, warm after adding one article,
and a rebuild with nothing changed.

    python benchmarks/run.py --sizes 100,1000,10000 [--jobs 2] [--work /tmp/mapper-bench]

For each size it generates the corpus (:mod:`corpus`, cached under ``--work``), runs a cold
build into an empty folder, adds one article and runs a warm build. Each build runs in a
fresh process, after an ``os.sync()`` (its peak RSS is the build's own; the largest child's,
a pool worker or the exports, is shown after a slash; peak PSS is of all its processes
together) and reports seconds per stage through ``pipeline.build(timings=...)``. Then it
checks that a 2-worker Dask ``LocalCluster`` finds the same places and mentions as one
process, and prints the table with the goals of issues 5 and 6, met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import Generator  # noqa: E402  (a script beside this one, not a package)

#: Articles per partition in the streaming parse (--stream).
STREAM_BATCH = 2000
#: Seconds per stage (pipeline.build's timings): "read" is the folder scan and hashing,
#: "geoparse" the wait for the workers (which read, parse, excerpt and format), "index" the
#: index writes and queries, "write" the exports.
STAGES = ["gazetteer", "read", "geoparse", "index", "write", "render"]
GOALS = """Goals (issues 5, 6 and 17):
  geoparse >= 1 MB/s per core on news text (mapper evaluate prints it)
  cold build of 10,000 articles (~40 MB) <= 60 s on 2 cores, peak memory <= 1 GB
  100,000 articles complete, memory not growing with the corpus beyond the index
  warm rebuild after adding one article to 10,000 <= 3 s, and < 5% of the cold build
  10,000-article map: HTML <= 15 MB
  (first markers in Chromium <= 2 s: measured by python benchmarks/browser.py)
  10,000 articles: the default output folder <= 4x the corpus on disk, the index <= 2.5x
  its text
  100,000 articles: warm rebuild after adding one article <= 3 s"""


def goal_status(rows: list[dict]) -> list[str]:
    """The goals this run measured, each with its numbers and whether it is met."""
    lines = []

    def line(met: bool, text: str) -> None:
        lines.append(f"  [{'met' if met else 'NOT met'}] {text}")

    for r in rows:
        c, w = r["cold"], r["warm"]
        n, pss = c["articles"], c["total_pss_gb"]
        if n == 10_000:
            line(c["build"] <= 60, f"cold build of 10,000 articles: {c['build']:.1f} s (<= 60)")
            line(pss <= 1.0, f"peak memory of the cold build, all processes: {pss:.2f} GB "
                             f"PSS (<= 1; RSS of the build process {c['rss_mb'] / 1024:.2f} GB)")
            ratio = w["build"] / c["build"]
            line(w["build"] <= 3 and ratio < 0.05, f"warm rebuild after adding one article: "
                 f"{w['build']:.2f} s (<= 3), {ratio:.1%} of the cold build (< 5%)")
            line(c["html_mb"] <= 15, f"HTML of the 10,000-article map: {c['html_mb']:.2f} MB "
                                     f"(<= 15)")
            folder, index = outputs_ratio(r)
            line(folder <= 4, f"output folder of 10,000 articles: {folder:.1f}x the corpus on "
                              f"disk (<= 4)")
            line(index <= 2.5, f"article index of 10,000 articles: {index:.2f}x the text "
                               f"(<= 2.5)")
        if n >= 100_000:
            line(w["build"] <= 3, f"warm rebuild after adding one article to {n:,}: "
                                  f"{w['build']:.2f} s (<= 3)")
            line(True, f"{n:,} articles: built cold in {c['build']:.0f} s, peak {pss:.2f} GB "
                       f"PSS (build process {c['rss_mb'] / 1024:.2f} GB RSS)")
    return lines


def outputs_ratio(row: dict) -> tuple[float, float]:
    """The cold build's output folder on disk against the corpus on disk, and its article
    index against the corpus's text."""
    outputs = row["cold"]["outputs"]
    folder = sum(disk for _, disk in outputs.values())
    return folder / row["disk"], outputs["mapper-index.sqlite"][0] / (row["mb"] * 1e6)


def outputs_line(n: int, row: dict) -> str:
    """What the cold build of ``n`` articles wrote, file by file, beside the corpus."""
    outputs = row["cold"]["outputs"]
    files = ", ".join(f"{name} {size / 1e6:.1f}" for name, (size, _) in outputs.items())
    folder, index = outputs_ratio(row)
    total = sum(disk for _, disk in outputs.values())
    return (f"outputs of {n:,} articles (MB): {files}; {total / 1e6:.0f} MB on disk in all, "
            f"{folder:.1f}x the corpus ({row['mb']:.1f} MB of text, {row['disk'] / 1e6:.0f} MB "
            f"on disk); the index {index:.2f}x the text")


def child(corpus: str, out: str, jobs: int) -> None:
    """Run one build in this process and print its measurements as JSON."""
    started = time.perf_counter()
    from mapper.build.pipeline import build

    imported = time.perf_counter()
    timings: dict[str, float] = {}
    cpu = time.process_time()
    result = build(corpus, out, jobs=jobs, timings=timings)
    cpu = time.process_time() - cpu
    from mapper.build.parallel import shutdown_pool

    shutdown_pool()  # so the workers' peak RSS is counted in RUSAGE_CHILDREN
    print(json.dumps({
        "timings": timings, "imports": imported - started,
        "build": time.perf_counter() - imported, "cpu": cpu,
        "articles": result.articles, "places": result.places, "mentions": result.mentions,
        "parsed": result.parsed,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "html_mb": os.path.getsize(result.map_path) / 1e6,
        "outputs": {p.name: [p.stat().st_size, p.stat().st_blocks * 512]
                    for p in sorted(Path(out).iterdir()) if p.is_file()},
    }))


def child_stream(corpus: str, parts: str, jobs: int) -> None:
    """Parse a corpus in batches straight into GeoParquet partitions, then aggregate the
    places from them: the parse path of a corpus too big to hold (prints JSON)."""
    started = time.perf_counter()
    from mapper.build import partitions
    from mapper.build.parallel import iter_parse, shutdown_pool
    from mapper.parse.geoparse import Geoparser
    from mapper.read.corpus import read_article

    paths = sorted(Path(corpus).glob("*.txt"))
    out = Path(parts)
    out.mkdir(parents=True, exist_ok=True)
    parser = Geoparser()
    written, mentions, rss = [], 0, []
    for lo in range(0, len(paths), STREAM_BATCH):
        batch = [read_article(p, root=corpus) for p in paths[lo:lo + STREAM_BATCH]]
        found = [m for ms in iter_parse(batch, jobs=jobs, parser=parser) for m in ms]
        mentions += len(found)
        written.append(partitions.write_partition(
            found, out / f"part-{lo // STREAM_BATCH:05d}.parquet"))
        rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    parsed = time.perf_counter() - started
    places = partitions.places_from_partitions(written)
    shutdown_pool()
    print(json.dumps({
        "articles": len(paths), "mentions": mentions, "places": len(places),
        "parse": parsed, "aggregate": time.perf_counter() - started - parsed,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_first_tenth_mb": rss[max(0, len(rss) // 10 - 1)] if rss else 0.0,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "parts_mb": sum(p.stat().st_size for p in written) / 1e6,
    }))


def run_build(corpus: Path, out: Path, jobs: int, max_rss_gb: float,
              mode: str = "--child") -> dict:
    """One build in a fresh Python process; its JSON plus the wall time seen from here.

    A watchdog stops the build (and its workers) if together they pass ``max_rss_gb``: a
    build that does not fit must not push the machine into swap or the OOM killer.
    """
    import psutil

    # The disk quiet first: a warm build's fsyncs would otherwise wait for the writeback of
    # the 700 MB the cold build before it left in the page cache.
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, mode, str(corpus), str(out),
                             str(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak, peak_pss, killed = 0.0, 0.0, False
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            processes = [watched, *watched.children(True)]
            rss = sum(p.memory_info().rss for p in processes)
            # PSS shares each page among the processes that map it: forked workers and the
            # exports child share the build's pages, which a sum of RSS counts again each.
            pss = sum(p.memory_full_info().pss for p in processes)
        except psutil.Error:
            rss = pss = 0  # a process ended between the listing and the reading
        peak = max(peak, rss / 2**30)
        peak_pss = max(peak_pss, pss / 2**30)
        if peak > max_rss_gb:
            for p in [*watched.children(True), watched]:
                p.kill()
            killed = True
            break
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if killed:
        raise SystemExit(f"build of {corpus} stopped after {wall:.0f} s: its processes passed "
                         f"{max_rss_gb} GB of RSS (raise --max-rss-gb)")
    if proc.returncode != 0:
        raise SystemExit(f"build of {corpus} failed:\n{stderr[-3000:]}")
    data = json.loads(stdout.strip().splitlines()[-1])
    data["wall"] = wall
    data["total_rss_gb"] = peak
    data["total_pss_gb"] = peak_pss
    return data


def snapshot_code(work: Path) -> Path:
    """A copy of the mapper package that every build of this run imports (``PYTHONPATH``):
    an edit during a long run would otherwise change the article index's fingerprint and
    turn the warm build into a cold one."""
    import mapper

    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(Path(mapper.__file__).parent, target / "mapper",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


def corpus_for(work: Path, n: int, seed: int) -> tuple[Path, float]:
    """The corpus of ``n`` articles under ``work`` (generated once); and its size in MB."""
    folder = work / f"corpus-{n}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        Generator(seed).write(folder, n)  # geodata: the snapshot in MAPPER_GEODATA
        done.write_text("ok\n")
    size = sum(p.stat().st_size for p in folder.glob("*.txt"))
    return folder, size / 1e6


def snapshot_geodata(work: Path) -> Path:
    """A copy of ``geodata/`` that every build of this run reads (``MAPPER_GEODATA``), taken
    when the gazetteer loads: the folder may be rebuilt while the benchmark runs."""
    from mapper.errors import GazetteerError
    from mapper.parse.gazetteer import Gazetteer
    from mapper.paths import geodata_dir

    target = work / "geodata"
    for _ in range(60):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(geodata_dir(), target)
        try:
            Gazetteer.load(target)
            return target
        except GazetteerError:
            time.sleep(10)  # caught mid-write: try again
    raise SystemExit(f"cannot read the gazetteer in {geodata_dir()}")


def dask_check(corpus: Path, n: int) -> str:
    """Parse the first ``n`` articles in one process and on a 2-worker LocalCluster."""
    from distributed import Client, LocalCluster

    from mapper.build.parallel import parse_many
    from mapper.parse.geoparse import Geoparser
    from mapper.read.corpus import read_corpus

    articles = read_corpus(corpus)[0][:n]
    single = parse_many(articles, parser=Geoparser())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        started = time.perf_counter()
        dask = parse_many(articles, scheduler=client)
        seconds = time.perf_counter() - started
    places = {m.place.key for ms in single for m in ms}
    mentions = sum(map(len, single))
    same = dask == single and {m.place.key for ms in dask for m in ms} == places
    return (f"Dask path (2-worker LocalCluster, GeoParquet partitions, {n} articles, "
            f"{seconds:.1f} s): {'the same' if same else 'NOT the same'} {len(places)} places "
            f"and {mentions} mentions as single-process")


def table(rows: list[dict], jobs: int) -> str:
    head = ("| articles | MB | places | mentions | " + " | ".join(STAGES)
            + " | cold s | CPU s | peak RSS MB | peak PSS MB | HTML MB | MB/s | articles/s "
            + "| warm s | warm/cold | unchanged s |")
    lines = [head, "|" + "---:|" * (head.count("|") - 1)]
    for r in rows:
        c, w, u = r["cold"], r["warm"], r["same"]
        t = c["timings"]
        lines.append(
            f"| {c['articles']:,} | {r['mb']:.1f} | {c['places']:,} | {c['mentions']:,} | "
            + " | ".join(f"{t.get(s, 0.0):.2f}" for s in STAGES)
            + f" | {c['build']:.1f} | {c['cpu']:.1f} | {c['rss_mb']:.0f} / "
            f"{c['workers_rss_mb']:.0f} | {c['total_pss_gb'] * 1024:.0f} | {c['html_mb']:.2f} | "
            f"{r['mb'] / c['build']:.2f} | "
            f"{c['articles'] / c['build']:.0f} | {w['build']:.2f} | "
            f"{w['build'] / c['build']:.1%} | {u['build']:.2f} |")
    lines.append("")
    lines.append("Warm builds (one article added), seconds per stage: "
                 + "; ".join(f"{r['cold']['articles']:,}: " + ", ".join(
                     f"{s} {r['warm']['timings'].get(s, 0.0):.2f}" for s in STAGES)
                     + f" (+ {r['warm']['imports']:.2f} s of imports; whole command "
                     f"{r['warm']['wall']:.2f} s)" for r in rows))
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] in ("--child", "--child-stream"):
        run = child if sys.argv[1] == "--child" else child_stream
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000",
                    help="comma-separated corpus sizes (articles)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/mapper-bench"))
    ap.add_argument("--stream", default="",
                    help="sizes (comma-separated) to also parse straight into GeoParquet "
                         "partitions, in batches, without building the map")
    ap.add_argument("--max-rss-gb", type=float, default=8.0,
                    help="stop a build whose processes pass this much memory together")
    ap.add_argument("--dask-articles", type=int, default=1000,
                    help="articles of the Dask check (0: skip it)")
    args = ap.parse_args()
    sizes = [int(s.replace(",", "").replace("_", "")) for s in args.sizes.split(",") if s]
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ["MAPPER_GEODATA"] = str(snapshot_geodata(args.work))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(snapshot_code(args.work)), *filter(None, [os.environ.get("PYTHONPATH")])])
    rows = []
    for n in sizes:
        corpus, mb = corpus_for(args.work, n, args.seed)
        out = args.work / f"out-{n}"
        shutil.rmtree(out, ignore_errors=True)
        cold = run_build(corpus, out, args.jobs, args.max_rss_gb)
        name, text = Generator(args.seed).article(n)  # article n is new to this corpus
        added = corpus / name
        added.write_text(text, encoding="utf-8")
        try:
            warm = run_build(corpus, out, args.jobs, args.max_rss_gb)
            same = run_build(corpus, out, args.jobs, args.max_rss_gb)
        finally:
            added.unlink()
        disk = sum(p.stat().st_blocks * 512 for p in corpus.glob("*.txt"))
        rows.append({"mb": mb, "disk": disk, "cold": cold, "warm": warm, "same": same})
        print(f"{n:,} articles: cold {cold['build']:.1f} s (+{cold['imports']:.1f} s imports,"
              f" peak RSS of all processes {cold['total_rss_gb']:.2f} GB), warm "
              f"{warm['build']:.2f} s (parsed {warm['parsed']}), unchanged {same['build']:.2f} s",
              file=sys.stderr, flush=True)
    print(f"mapper build, {args.jobs} job(s), {os.cpu_count()} cores; seconds per stage of "
          "the cold build; cold, warm and unchanged s: pipeline.build() in a fresh process "
          "(imports not counted); peak RSS of the build process / of its largest pool worker")
    print(table(rows, args.jobs))
    for n, row in zip(sizes, rows, strict=True):
        print(outputs_line(n, row))
    for n in [int(x.replace(",", "")) for x in args.stream.split(",") if x]:
        corpus, mb = corpus_for(args.work, n, args.seed)
        parts = args.work / f"parts-{n}"
        shutil.rmtree(parts, ignore_errors=True)
        r = run_build(corpus, parts, args.jobs, args.max_rss_gb, mode="--child-stream")
        print(f"streamed parse of {r['articles']:,} articles ({mb:.0f} MB) into "
              f"{len(list(parts.glob('*.parquet')))} GeoParquet partitions "
              f"({r['parts_mb']:.0f} MB): {r['mentions']:,} mentions, {r['places']:,} places; "
              f"parse {r['parse']:.0f} s ({mb / r['parse']:.2f} MB/s, "
              f"{r['articles'] / r['parse']:.0f} articles/s), aggregate {r['aggregate']:.1f} s; "
              f"peak RSS {r['rss_after_first_tenth_mb']:.0f} MB after a tenth, "
              f"{r['rss_mb']:.0f} MB at the end (largest worker {r['workers_rss_mb']:.0f} MB)")
    if args.dask_articles:
        print(dask_check(corpus_for(args.work, max(sizes), args.seed)[0],
                         min(args.dask_articles, max(sizes))))
    print(GOALS)
    print("\n".join(goal_status(rows)))


if __name__ == "__main__":
    main()
