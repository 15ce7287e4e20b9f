"""Helpers shared by the incremental-build tests: small articles, the map's JSON payload."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
#: The exports a build writes only when asked for.
ALL = ("mentions.csv", "mentions.geojson")

ARTICLES = {
    "dhaka.txt": "date 2024-03-01\nFloods reach Dhaka\n\nMonsoon floods reached Dhaka on "
                 "Monday, officials in Bangladesh said. Thousands left their homes.\n",
    "lima.txt": "date 2024-03-02\nProtests in Lima\n\nThousands marched in Lima, the capital "
                "of Peru, on Tuesday. Police closed the main square.\n",
    "nairobi.txt": "date 2024-03-03\nTalks open in Nairobi\n\nDelegates met in Nairobi, Kenya, "
                   "to discuss the drought. The talks last three days.\n",
    "oslo.txt": "date 2024-03-04\nPrize announced in Oslo\n\nThe committee in Oslo, Norway, "
                "announced the winner on Friday after a long debate.\n",
}


def write_articles(folder: Path, names: list[str] | None = None) -> Path:
    """Write the named :data:`ARTICLES` (all by default) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or list(ARTICLES):
        (folder / name).write_text(ARTICLES[name], encoding="utf-8")
    return folder


def payload(html_path: Path) -> dict:
    """The explorer's JSON payload in ``index.html``."""
    html = html_path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="mapper-data">(.*?)</script>', html,
                      re.S)
    assert match, "no payload in the page"
    return json.loads(match.group(1))


def place_names(out: Path) -> set[str]:
    """Names of the places in ``out/places.geojson``."""
    data = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["name"] for f in data["features"]}


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file of a build (not the article index), by name."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.is_file() and not p.name.startswith("mapper-index")}


def geopackage_rows(path: Path) -> dict[str, list[tuple]]:
    """Each layer of a GeoPackage as sorted rows (geometry as WKT): what it holds, whatever
    the row ids and page layout its history gave it."""
    import pyogrio

    layers = {}
    for name, kind in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=name)
        if kind is not None:  # a layer of points; the others are attribute tables
            wkt = frame.geometry.to_wkt()
            frame = frame.drop(columns=frame.geometry.name).assign(wkt=wkt)
        # Empty cells (a page outside PDFs) read as NaN, which equals nothing: None instead.
        frame = frame.astype(object).where(frame.notna(), None)
        layers[name] = sorted(frame.itertuples(index=False, name=None))
    return layers


def assert_same_outputs(out: Path, cold: Path) -> None:
    """``out`` holds what the cold build ``cold`` wrote: the same bytes, and for the
    GeoPackage (updated in place by incremental builds) the same rows."""
    got, want = outputs(out), outputs(cold)
    assert set(got) == set(want)
    for name in want:
        if name.endswith(".gpkg"):
            assert geopackage_rows(out / name) == geopackage_rows(cold / name), name
        else:
            assert got[name] == want[name], f"{name} differs from a cold build's"


def seed_sentences() -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n")[1:]:
            out += [s for s in re.split(r"(?<=[.!?])\s+", " ".join(para.split())) if len(s) > 30]
    return out


def make_corpus(folder: Path, n: int, start: int = 0) -> None:
    """``n`` articles recombined from the seeds' sentences (deterministic)."""
    import random

    pool = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        rng = random.Random(i)
        body = "\n\n".join(" ".join(rng.sample(pool, 3)) for _ in range(6))
        (folder / f"gen{i:05d}.txt").write_text(
            f"date 2021-{1 + i % 12:02d}-{1 + i % 28:02d}\nReport {i}\n\n{body}\n",
            encoding="utf-8")


def snapshot_geodata(folder: Path) -> Path:
    """A copy of ``geodata/`` in ``folder``, loaded once to check it is whole.

    The embedded gazetteer may be rebuilt while the tests run (it is data under work); the
    index's fingerprint would then change between two builds of one test.
    """
    import shutil

    from mapper.errors import GazetteerError
    from mapper.parse.gazetteer import Gazetteer
    from mapper.paths import geodata_dir

    for _ in range(10):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for p in geodata_dir().glob("*.parquet"):
            shutil.copy2(p, folder / p.name)
        try:
            Gazetteer.load(folder)
            return folder
        except GazetteerError:
            time.sleep(3)  # a parquet file was mid-write
    raise RuntimeError("geodata/ could not be read")
