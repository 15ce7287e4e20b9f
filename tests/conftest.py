"""Fixtures shared by the build tests (incremental builds, add/watch, online geocoding)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from buildkit import snapshot_geodata

import mapper.build.parsing as parsing
import mapper.build.pipeline as pipeline
from mapper.build.parallel import iter_records
from mapper.parse.gazetteer import Gazetteer


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """What mapper keeps between runs (the common-word list, geocoder answers) goes to a
    folder of this test session, for its builds in subprocesses too, not the user's."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("MAPPER_CACHE_DIR")
    os.environ["MAPPER_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("MAPPER_CACHE_DIR", None)
    else:
        os.environ["MAPPER_CACHE_DIR"] = before


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The gazetteer of a snapshot of geodata/, loaded once per test module."""
    return Gazetteer.load(snapshot_geodata(tmp_path_factory.mktemp("geodata")))


@pytest.fixture
def stable_geodata(gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds (here and in subprocesses) read a snapshot of geodata/, not the live folder."""
    monkeypatch.setenv("MAPPER_GEODATA", str(gazetteer._folder))
    monkeypatch.setattr(pipeline, "default_gazetteer", lambda: gazetteer)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the articles handed to ``iter_records`` to read and parse, in order, across
    builds."""
    seen: list[str] = []

    def counting(entries, **options):
        seen.extend(e.id for e in entries)
        return iter_records(entries, **options)

    monkeypatch.setattr(parsing, "iter_records", counting)
    return seen
