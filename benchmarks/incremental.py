"""Cold build vs. adding one article and rebuilding, on a generated corpus.

    python benchmarks/incremental.py [--n 10000] [--jobs 1] [--keep DIR]

Articles are made by recombining sentences of ``seeds/*.txt`` (so they name the seeds'
places in new mixes), dated over twelve months. Prints the cold and the warm build's times,
the warm build's steps, and the ratio (the goal: warm under 5% of cold).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapper.pipeline import build  # noqa: E402


def sentences(seeds: Path = ROOT / "seeds") -> list[str]:
    """The sentences of the seed articles (their bodies, not titles)."""
    out = []
    for path in sorted(seeds.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n")[1:]:
            for s in re.split(r"(?<=[.!?])\s+", para.strip()):
                if len(s) > 30:
                    out.append(" ".join(s.split()))
    return out


def make_article(i: int, pool: list[str], rng: random.Random) -> str:
    """One article: a dated title line and 4-9 paragraphs of three seed sentences."""
    date = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(365))
    paras = [" ".join(rng.sample(pool, 3)) for _ in range(rng.randrange(4, 10))]
    return f"date {date.isoformat()}\nReport {i}: {rng.choice(pool)[:60]}\n\n" + "\n\n".join(
        paras) + "\n"


def make_corpus(folder: Path, n: int, seed: int = 1) -> None:
    """Write ``n`` articles ``a00000.txt``... into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    pool, rng = sentences(), random.Random(seed)
    for i in range(n):
        (folder / f"a{i:05d}.txt").write_text(make_article(i, pool, rng), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="articles in the corpus")
    ap.add_argument("--jobs", type=int, default=1, help="passed to parse_many")
    ap.add_argument("--profile", action="store_true", help="profile the warm build")
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mapper-bench-"))
    corpus, out = work / "articles", work / "maps"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    make_corpus(corpus, args.n)
    size = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
    print(f"corpus: {args.n} articles, {size:.1f} MB in {corpus}")

    started = time.perf_counter()
    cold = build(corpus, out, jobs=args.jobs)
    cold_s = time.perf_counter() - started
    print(f"cold build: {cold_s:.2f} s ({cold.parsed} parsed, {cold.places} places, "
          f"{cold.mentions} mentions)")

    rng = random.Random(2)
    (corpus / "added.txt").write_text(make_article(args.n, sentences(), rng), encoding="utf-8")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    stages: dict[str, float] = {}
    started = time.perf_counter()
    warm = build(corpus, out, jobs=args.jobs, timings=stages)
    warm_s = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"mapper", 25)
    print(f"warm build (one article added): {warm_s:.2f} s ({warm.parsed} parsed, "
          f"{warm.unchanged} unchanged)")
    print("warm build stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(f"ratio warm/cold: {warm_s / cold_s:.1%}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
