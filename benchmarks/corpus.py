"""Generate a realistic news corpus of N articles for the benchmark, deterministically.

    python benchmarks/corpus.py --n 10000 --out /tmp/corpus-10000

The text is real: the sentences of ``seeds/*.txt`` recombined. The places they name (the
hand-checked surfaces of ``tests/gold_seeds.json``) are swapped for other real gazetteer
names: each article has a focus country, and its cities and provinces are drawn from that
country with a Zipf-like preference for the populous ones, so that, as in news, a few places
come up all the time and the number of distinct places keeps growing with the corpus.
Articles start with a ``date YYYY-MM-DD`` line spread over 18 months and a headline, and
are 2-15 KB long (about 4 KB on average: 10,000 articles are about 40 MB).

Article ``k`` depends only on the seed and ``k``, so the corpus of 1,000 is the first 1,000
articles of the corpus of 10,000, and :func:`write_article` can add article ``N`` later.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mapper.parse.excerpts import sentences
from mapper.parse.gazetteer import DEMONYM
from mapper.paths import geodata_dir
from mapper.read.corpus import read_corpus

REPO = Path(__file__).resolve().parent.parent

#: Focus countries of the articles and their weights: a conflict-news mix.
COUNTRIES = {
    "AF": 8, "PK": 4, "IR": 3, "IQ": 3, "SY": 3, "UA": 4, "RU": 2, "YE": 2, "NG": 2,
    "ML": 1, "SO": 1, "ET": 2, "SD": 2, "IN": 2, "US": 3, "GB": 1, "FR": 1, "TR": 1,
    "IL": 2, "LB": 1, "LY": 1, "EG": 1, "MM": 1, "CO": 1, "MX": 1, "PH": 1,
}
START = dt.date(2021, 1, 1)
DAYS = 548
MIN_BYTES, MAX_BYTES = 2_000, 15_000
#: Log-normal article lengths: median 3.5 KB, mean about 4 KB once clipped.
MEDIAN_BYTES, SIGMA = 3_500, 0.55
FURNITURE = ("Share it", "Next Story", "Subscribe Now", "Read more:")

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A seed sentence whose place names are slots: ``"Fighting in {city} and {admin1}"``."""

    text: str


class Generator:
    """Builds article ``k`` of the corpus of ``seed`` (see the module docstring)."""

    def __init__(self, seed: int = 1, seeds_dir: Path = REPO / "seeds",
                 gold: Path = REPO / "tests" / "gold_seeds.json",
                 geodata: Path | None = None) -> None:
        self.seed = seed
        self.seeds_dir = seeds_dir
        self.gold = gold
        self.geodata = Path(geodata) if geodata else geodata_dir()
        codes = sorted(COUNTRIES)
        self._codes = codes
        self._cum = _cumulative([COUNTRIES[c] for c in codes])

    @cached_property
    def templates(self) -> list[Template]:
        """The seed sentences with their gold place surfaces turned into slots."""
        doc = json.loads(self.gold.read_text(encoding="utf-8"))
        surfaces: dict[str, str] = {}
        for d in doc["documents"]:
            for p in d["places"]:
                for s in p["surfaces"]:
                    surfaces[s] = _slot_kind(p["kind"], s, p["name"])
        # Longest surface first, so "Lashkar Gah" wins over a shorter name inside it.
        alternation = "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
        articles, _ = read_corpus(self.seeds_dir)
        out = []
        for a in articles:
            for s, e in sentences(a.text):
                sent = a.text[s:e]
                if len(sent) < 25 or sent.strip() == a.title.strip():
                    continue
                sent = sent.replace("{", "(").replace("}", ")")
                out.append(Template(pattern.sub(lambda m: "{" + surfaces[m.group()] + "}",
                                                sent)))
        return out

    @cached_property
    def pools(self) -> dict[str, dict[str, list[str]]]:
        """Per focus country: its name, demonyms, provinces and cities (most populous first)."""
        places = pq.ParquetFile(self.geodata / "places.parquet").read(
            columns=["name", "kind", "country", "population"])
        places = places.filter(pc.is_in(places["country"], value_set=pa.array(self._codes)))
        rows = sorted(places.to_pylist(), key=lambda r: (-r["population"], r["name"]))
        pools: dict[str, dict[str, list[str]]] = {
            c: {"country": [], "admin1": [], "city": [], "demonym": []} for c in self._codes}
        for r in rows:
            kind = r["kind"]
            if kind in ("country", "admin1", "city") and r["country"] in pools:
                pools[r["country"]][kind].append(r["name"])
        names = pq.ParquetFile(self.geodata / "names.parquet").read(
            columns=["place_id", "form", "source"])
        dem = names.filter(pc.equal(names["source"], DEMONYM)).to_pylist()
        all_places = pq.ParquetFile(self.geodata / "places.parquet").read(
            columns=["kind", "country"]).to_pylist()
        for d in dem:
            p = all_places[d["place_id"]]
            if p["kind"] == "country" and p["country"] in pools:
                pools[p["country"]]["demonym"].append(d["form"])
        return pools

    def article(self, k: int) -> tuple[str, str]:
        """``(file name, text)`` of article ``k``."""
        rng = random.Random(f"{self.seed}:{k}")
        focus = self._codes[bisect.bisect_right(self._cum, rng.random() * self._cum[-1])]
        target = int(min(MAX_BYTES, max(MIN_BYTES, rng.lognormvariate(
            math.log(MEDIAN_BYTES), SIGMA))))
        fill = _Filler(rng, self.pools, focus, self._codes)
        date = START + dt.timedelta(days=rng.randrange(DAYS))
        headline = fill(rng.choice(self.templates).text).split()
        title = " ".join(headline[: rng.randint(6, 12)]).rstrip(",.;:\"'")
        parts = [f"date {date.isoformat()}", title, ""]
        size = sum(len(p) + 1 for p in parts)
        while size < target:
            para = " ".join(fill(rng.choice(self.templates).text)
                            for _ in range(rng.choice((1, 1, 2, 2, 3))))
            parts += [para, ""]
            size += len(para.encode("utf-8")) + 2
        if rng.random() < 0.2:
            parts.append(rng.choice(FURNITURE))
        return f"{k:06d}.txt", "\n".join(parts) + "\n"

    def write(self, out: Path, n: int, start: int = 0) -> int:
        """Write articles ``start`` to ``n - 1`` into ``out``; returns the bytes written."""
        out.mkdir(parents=True, exist_ok=True)
        total = 0
        for k in range(start, n):
            name, text = self.article(k)
            data = text.encode("utf-8")
            (out / name).write_bytes(data)
            total += len(data)
        return total


class _Filler:
    """Fills a template's slots with the places of one article."""

    def __init__(self, rng: random.Random, pools: dict[str, dict[str, list[str]]],
                 focus: str, codes: Sequence[str]) -> None:
        self.rng, self.pools, self.focus, self.codes = rng, pools, focus, codes

    def __call__(self, template: str) -> str:
        return _SLOT.sub(lambda m: self.pick(m.group(1)), template)

    def pick(self, kind: str) -> str:
        rng = self.rng
        country = self.focus
        if kind == "country" and rng.random() < 0.3:
            country = rng.choice(self.codes)  # "talks with Qatar"
        pool = self.pools[country][kind] or self.pools[country]["country"] or ["Europe"]
        if kind in ("city", "admin1"):
            # Log-uniform rank: the capital every other article, the 500th town rarely.
            return pool[min(len(pool) - 1, int(len(pool) ** rng.random()) - 1)]
        return pool[0] if kind == "country" else rng.choice(pool)


def _slot_kind(kind: str, surface: str, name: str) -> str:
    if kind == "country":
        return "country" if surface[:4] in name or surface.isupper() else "demonym"
    return "admin1" if kind == "admin1" else "city"


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def write_corpus(out: str | Path, n: int, *, seed: int = 1, start: int = 0) -> int:
    """Write articles ``start`` to ``n - 1`` of the corpus of ``seed`` into ``out``."""
    return Generator(seed).write(Path(out), n, start)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="how many articles")
    ap.add_argument("--out", type=Path, required=True, help="folder to write them into")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    size = write_corpus(args.out, args.n, seed=args.seed)
    print(f"{args.n} articles, {size / 1e6:.1f} MB -> {args.out}")


if __name__ == "__main__":
    main()
