"""Parallel and distributed geoparsing give exactly the mentions of the single-process path."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mapper.build import parallel, partitions
from mapper.build.places import places_frame
from mapper.parse.geoparse import Geoparser
from mapper.read.corpus import read_corpus

REPO = Path(__file__).resolve().parent.parent


def _generator_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """The seeds and 40 generated articles (about 170 KB)."""
    folder = tmp_path_factory.mktemp("corpus")
    _generator_module().write_corpus(folder, 40, seed=7)
    seeds, _ = read_corpus(REPO / "seeds")
    generated, _ = read_corpus(folder)
    return seeds + generated


@pytest.fixture(scope="module")
def parser():
    return Geoparser()


@pytest.fixture(scope="module")
def expected(articles, parser):
    return [parser.parse(a) for a in articles]


def test_jobs_2_gives_the_same_mentions(articles, parser, expected, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(parallel, "CHUNK_ARTICLES", 4)
    try:
        got = parallel.parse_many(articles, jobs=2, parser=parser)
        assert parallel._POOL is not None  # the pool did the work
        assert got == expected
        # The pool is kept for the next call (the pipeline calls once per batch).
        pool = parallel._POOL[2]
        assert parallel.parse_many(articles[:9], jobs=2, parser=parser) == expected[:9]
        assert parallel._POOL[2] is pool
    finally:
        parallel.shutdown_pool()
    assert sum(map(len, expected)) > 500


def test_small_input_is_parsed_in_process(articles, parser, expected):
    parallel.shutdown_pool()
    assert parallel.parse_many(articles[:3], jobs=2, parser=parser) == expected[:3]
    assert parallel._POOL is None


def test_partition_round_trip(tmp_path, articles, expected):
    path = partitions.write_partition([m for ms in expected for m in ms], tmp_path / "p.parquet")
    assert partitions.read_mentions([path], articles) == expected
    empty = partitions.write_partition([], tmp_path / "empty.parquet")
    assert partitions.read_mentions([empty], articles[:2]) == [[], []]


def test_dask_cluster_gives_the_same_places_and_mentions(tmp_path, articles, expected):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        paths = parallel.parse_to_partitions(articles, tmp_path / "parts", scheduler=client,
                                             chunk_articles=12)
        # Through parse_many too, as the benchmark calls it.
        assert parallel.parse_many(articles[:6], scheduler=client) == expected[:6]
    assert len(paths) == -(-len(articles) // 12)
    assert partitions.read_mentions(paths, articles) == expected

    # Valid GeoParquet: "geo" metadata naming a WKB Point column in EPSG:4326.
    for path in paths:
        meta = json.loads(pq.read_metadata(path).metadata[b"geo"])
        column = meta["columns"][meta["primary_column"]]
        assert column["encoding"] == "WKB"
        assert column["geometry_types"] in ([], ["Point"])
        assert partitions.read_partitions([path]).crs.to_epsg() == 4326

    # The render step's per-place aggregate matches the one built mention by mention.
    flat = [m for ms in expected for m in ms]
    want = places_frame(flat)[["key", "mentions", "n_articles"]]
    got = partitions.places_from_partitions(paths)
    assert got.crs.to_epsg() == 4326
    assert got[["key", "mentions", "n_articles"]].values.tolist() == want.values.tolist()
    lookup = {m.place.key: m.place for m in flat}
    for key, point in zip(got["key"], got.geometry, strict=True):
        assert (point.x, point.y) == (lookup[key].lon, lookup[key].lat)
