"""The embedded gazetteer: load ``geodata/``, look names up (its geopy face is
:mod:`mapper.parse.geocoder`).

``geodata/places.parquet`` holds one row per place and ``geodata/names.parquet`` one row per
(name key, place) pair, sorted by key; both are built by ``geodata/build.py``. Loading keeps
the columns as NumPy arrays and builds one dict from key to its row range in the name table,
so a lookup is a dict hit and a slice.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mapper.errors import GazetteerError
from mapper.models import Place
from mapper.parse import names
from mapper.paths import geodata_dir

#: Where a name in the index comes from (the ``source`` column of names.parquet). SOUND keys
#: ("~" and :func:`mapper.parse.spellings.sound_key`) index how names of transliterated
#: countries sound; text never reaches them by its spelling.
PRIMARY, ASCII, ALTERNATE, ABBREVIATION, DEMONYM, SOUND = range(6)

#: How much a kind of place is worth when a name could be several: a country named
#: "Georgia" before a state of that name, a city before the province it names.
KIND_PRIOR = {
    "country": 3.0,
    "continent": 2.5,
    "region": 2.0,
    "city": 1.0,
    "admin1": 0.8,
    "admin2": 0.4,
    "feature": 0.6,
}

BROAD_KINDS = frozenset({"country", "continent", "region"})

_PLACE_COLUMNS = (
    "key", "geonameid", "name", "kind", "country", "admin1", "population", "capital",
    "lat", "lon",
)


@dataclass(frozen=True)
class Candidate:
    """One place a name may refer to, with how the name reached it."""

    place_id: int
    source: int
    row: int
    """The row of the name index that reached the place."""
    prior: float
    """Context-free plausibility: kind, population, capital, name source."""
    forms: pa.Array | None = field(default=None, repr=False, compare=False)

    @property
    def form(self) -> str:
        """The spelling that reached the place ("U.S.", "Lashkargah"), read on demand:
        most candidates are ranked and dropped without it."""
        return self.forms[self.row].as_py() if self.forms is not None else ""


class Gazetteer:
    """Places and the name index of ``geodata/``. Load it with :meth:`load`."""

    def __init__(self, places: pa.Table, name_keys: dict[str, int], name_starts: np.ndarray,
                 name_place: np.ndarray, name_source: np.ndarray, name_form: pa.Array) -> None:
        self._table = places
        self._keys = name_keys
        self._starts = name_starts
        self._name_place = name_place
        self._name_source = name_source
        self._name_form = name_form
        # Columns the resolver reads per candidate, as NumPy: dictionary codes for strings.
        self._kind_codes, self._kinds = _codes(places.column("kind"))
        self._country_codes, self._countries = _codes(places.column("country"))
        self._admin1_codes, self._admin1s = _codes(places.column("admin1"))
        self._population = places.column("population").to_numpy()
        self._py_kind = _array(self._kind_codes)
        self._py_country = _array(self._country_codes)
        self._py_admin1 = _array(self._admin1_codes)
        self._py_population = array("q", self._population.astype(np.int64).tobytes())
        pop = self._population.astype(np.float64)
        # Countries, continents and regions have no population of their own in the data,
        # or one that says little about how often news names them: give them a floor.
        kind_prior = np.array([KIND_PRIOR.get(k, 0.5) for k in self._kinds])[self._kind_codes]
        broad = np.isin(self._kind_codes,
                        [i for i, k in enumerate(self._kinds) if k in BROAD_KINDS])
        pop = np.where(broad, np.maximum(pop, 1e7), pop)
        self._capital = places.column("capital").to_numpy(zero_copy_only=False)
        capital = self._capital.astype(np.float64)
        # log10 of population: a city of 1M scores 6, a village of 1,000 scores 3.
        self._prior = kind_prior + np.log10(pop + 10.0) * 0.5 + capital
        self._alternates: pa.ChunkedArray | None = None
        self._folder: Path | None = None
        self._by_key: dict[str, int] | None = None
        self._lat: array | None = None
        self._lon: array | None = None
        self._demonyms: frozenset[str] = frozenset()

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Gazetteer:
        """Read the gazetteer from ``folder`` (default: :func:`mapper.paths.geodata_dir`)."""
        folder = Path(folder) if folder else geodata_dir()
        try:
            # ParquetFile.read, unlike read_table, does not import pyarrow.dataset.
            pt = pq.ParquetFile(folder / "places.parquet").read(columns=list(_PLACE_COLUMNS))
            nt = pq.ParquetFile(folder / "names.parquet").read(
                columns=["key", "place_id", "source", "form"])
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise GazetteerError(
                f"cannot read the gazetteer in {folder}: {exc}. "
                "Rebuild it with `python geodata/build.py`."
            ) from exc
        keys = nt.column("key").combine_chunks()
        if len(keys) == 0:
            raise GazetteerError(f"the name index in {folder} is empty")
        # names.parquet is sorted by key: each key owns one contiguous run of rows.
        changed = pc.not_equal(keys[1:], keys[:-1]).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(np.concatenate(([True], changed)))
        unique = pc.take(keys, pa.array(starts)).to_pylist()
        # Hundreds of thousands of new strings would wake the cyclic GC many times for nothing.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            index = dict(zip(unique, range(len(unique)), strict=True))
        finally:
            if was_enabled:
                gc.enable()
        gaz = cls(
            pt,
            index,
            np.append(starts, len(keys)),
            nt.column("place_id").to_numpy(),
            nt.column("source").to_numpy(),
            nt.column("form").combine_chunks(),
        )
        gaz._folder = folder
        # Demonym keys, for languages that write them in lowercase ("estadounidenses").
        demonym = pc.equal(nt.column("source").combine_chunks(), DEMONYM)
        gaz._demonyms = frozenset(pc.filter(keys, demonym).to_pylist())
        return gaz

    def __len__(self) -> int:
        return self._table.num_rows

    def has_key(self, key: str) -> bool:
        """True when ``key`` (see :func:`mapper.parse.names.key`) names at least one place."""
        return key in self._keys

    def is_demonym_key(self, key: str) -> bool:
        """True when ``key`` is a demonym's ("afghans", "estadounidenses")."""
        return key in self._demonyms

    def candidates_for_key(self, key: str) -> list[Candidate]:
        """The places whose names have ``key``, most plausible first (one per place)."""
        u = self._keys.get(key)
        if u is None:
            return []
        best: dict[int, Candidate] = {}
        for row in range(int(self._starts[u]), int(self._starts[u + 1])):
            pid = int(self._name_place[row])
            source = int(self._name_source[row])
            # An alternate spelling is weaker evidence than the place's own name.
            prior = float(self._prior[pid]) - (0.8 if source == ALTERNATE else 0.0)
            cand = Candidate(pid, source, row, prior, self._name_form)
            old = best.get(pid)
            if old is None or cand.prior > old.prior:
                best[pid] = cand
        return sorted(best.values(), key=lambda c: (-c.prior, c.place_id))

    def candidates(self, name: str) -> list[Candidate]:
        """The places a name may refer to, most plausible first, ignoring case and accents.

        >>> gaz = Gazetteer.load()
        >>> gaz.place(gaz.candidates("Lashkargah")[0].place_id).name
        'Lashkar Gāh'
        """
        return self.candidates_for_key(names.key(name))

    def place(self, place_id: int) -> Place:
        """The :class:`~mapper.models.Place` of row ``place_id``."""
        return _place(self, int(place_id))

    # The resolver asks these for every candidate: plain arrays (array.array) answer with
    # Python numbers several times faster than NumPy scalars, and the collector skips them.

    def kind(self, place_id: int) -> str:
        return self._kinds[self._py_kind[place_id]]

    def country(self, place_id: int) -> str:
        return self._countries[self._py_country[place_id]]

    def admin1(self, place_id: int) -> str:
        return self._admin1s[self._py_admin1[place_id]]

    def population(self, place_id: int) -> int:
        return self._py_population[place_id]

    def latlon(self, place_id: int) -> tuple[float, float]:
        if self._lat is None:
            self._lat = array("d", self._table.column("lat").to_numpy().tobytes())
            self._lon = array("d", self._table.column("lon").to_numpy().tobytes())
        return self._lat[place_id], self._lon[place_id]

    def is_capital(self, place_id: int) -> bool:
        return bool(self._capital[place_id])

    def row(self, place_id: int) -> dict:
        """The gazetteer row of a place as plain Python values (geopy's ``raw``)."""
        return self._table.slice(int(place_id), 1).to_pylist()[0] | {"id": int(place_id)}

    def alternate_names(self, place_keys: Sequence[str]) -> list[str]:
        """Alternate spellings of each place (for the map's search box), joined by ``|``
        ("" for none or an unknown key); read on first use, in one take from the column."""
        if self._alternates is None:
            if self._folder is None:
                return [""] * len(place_keys)
            col = pq.ParquetFile(self._folder / "places.parquet").read(
                columns=["alternatenames"])
            self._alternates = col.column(0)
        # In Arrow, not per place in Python (43,000 places at 100,000 articles): the rows
        # by key, the names with empty ones ("a||b|") dropped.
        known = self._table.column("key")
        rows = pc.index_in(pa.array(place_keys, type=known.type), value_set=known)
        names = pc.utf8_trim(pc.replace_substring_regex(self._alternates.take(rows),
                                                        r"\|\|+", "|"), "|")
        return names.fill_null("").to_pylist()

    def find_key(self, place_key: str) -> int | None:
        """The row of the place whose stable key (``gn:...``) is ``place_key``."""
        if self._by_key is None:
            keys = self._table.column("key").to_pylist()
            self._by_key = dict(zip(keys, range(len(keys)), strict=True))
        return self._by_key.get(place_key)


def _place(gaz: Gazetteer, pid: int) -> Place:
    # Column by column: slicing the table into a row dict costs several times more.
    table = gaz._table
    lat, lon = gaz.latlon(pid)
    return Place(
        key=table.column("key")[pid].as_py(),
        name=table.column("name")[pid].as_py(),
        kind=gaz.kind(pid),
        country=gaz.country(pid),
        lat=lat,
        lon=lon,
        geonameid=int(table.column("geonameid")[pid].as_py()) or None,
        admin1=gaz.admin1(pid),
        population=gaz.population(pid),
    )


def _array(codes: np.ndarray) -> array:
    """Dictionary codes as a plain int32 array."""
    return array("i", codes.astype(np.int32).tobytes())


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Dictionary-encode a string column: (codes as NumPy, the distinct values)."""
    enc = column.combine_chunks().dictionary_encode()
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist()


@lru_cache(maxsize=4)
def default_gazetteer(folder: str | None = None) -> Gazetteer:
    """The gazetteer of ``folder`` (default ``geodata/``), loaded once per process."""
    return Gazetteer.load(folder)
