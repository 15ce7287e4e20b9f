"""Resolve names the gazetteer lacks through an online geocoder (geopy), asking each name once.

:class:`OnlineResolver` wraps any geopy geocoder in a :class:`~geopy.extra.rate_limiter.
RateLimiter` (Nominatim's policy is one request a second) and a persistent
:class:`GeocodeCache`, so a name is sent once, ever, and a "not found" is remembered too.
A failure (timeout, HTTP 429 or 5xx, a reply that is not the service's JSON) is never cached
and never raised: the name stays unresolved, a :class:`~mapper.errors.MapperWarning` says so,
and the caller may ask again on the next build. After :attr:`OnlineResolver.max_failures`
failures in a row the service is taken as down and not asked again in this run.

Every request ends: it has a total deadline and its answer a size cap
(:mod:`.bounded`); a build spends at most its budget of seconds online; a cached "not
found" is asked again after ``not_found_days``; a point out of range is refused, not
wrapped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from mapper.errors import MapperWarning, OnlineGeocoderError
from mapper.models import Place
from mapper.parse import names
from mapper.parse.bounded import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, BoundedAdapter
from mapper.paths import cache_dir

#: Options that are ours, not the geocoder's constructor's, and their defaults: the rate
#: limit, a request's total deadline (s), an answer's largest size (bytes), the seconds a
#: build may spend online, and the days a "not found" answer is believed.
_OWN_OPTIONS = {"min_delay_seconds": 1.0, "deadline": DEFAULT_DEADLINE,
                "max_answer_bytes": DEFAULT_MAX_BYTES, "budget": 600.0, "not_found_days": 30.0}
#: Options that do not change a service's answers (left out of the cache key).
_NEUTRAL_OPTIONS = frozenset({"user_agent", "timeout", *_OWN_OPTIONS})
#: Confidence of an online answer when the service gives none.
DEFAULT_SCORE = 0.5

# Nominatim's place class/type -> our kinds (models.KINDS); anything else is a "feature".
_PLACE_TYPES = {
    "continent": "continent", "country": "country", "state": "admin1", "province": "admin1",
    "region": "admin1", "county": "admin2", "district": "admin2", "city": "city",
    "town": "city", "village": "city", "hamlet": "city", "suburb": "city", "quarter": "city",
    "neighbourhood": "city", "locality": "city", "municipality": "city",
    "isolated_dwelling": "city",
}
_ADDRESS_TYPES = {"country": "country", "state": "admin1", "province": "admin1",
                  "region": "admin1", "county": "admin2", "district": "admin2",
                  "state_district": "admin2", "municipality": "admin2"}


def user_agent() -> str:
    """``mapper/<version>``: Nominatim's policy asks for an identifying user agent."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mapper/{version('mapper')}"
    except PackageNotFoundError:
        return "mapper/dev"


def default_cache_path() -> Path:
    """``geocode.sqlite`` in :func:`mapper.paths.cache_dir`."""
    return cache_dir() / "geocode.sqlite"


class GeocodeCache:
    """Answers of online geocoders, by service and name key, in SQLite (``None``: not found),
    with when each was stored."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            self._create()
        except sqlite3.DatabaseError:
            # A cache is worth nothing against a build: start a new one.
            self._conn.close()
            self.path.unlink(missing_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._create()

    def _create(self) -> None:
        self._conn.execute("CREATE TABLE IF NOT EXISTS answers (service TEXT NOT NULL, "
                           "name TEXT NOT NULL, raw TEXT, stored REAL, "
                           "PRIMARY KEY (service, name))")
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(answers)")}
        if "stored" not in columns:  # a cache of an older mapper: its answers undated
            self._conn.execute("ALTER TABLE answers ADD COLUMN stored REAL")

    def get(self, service: str, name: str, not_found_for: float | None = None,
            ) -> tuple[bool, dict | None]:
        """(known, raw): ``known`` False when the name was never answered, or was not found
        more than ``not_found_for`` seconds ago (or at a time not recorded)."""
        row = self._conn.execute("SELECT raw, stored FROM answers WHERE service = ? AND "
                                 "name = ?", (service, name)).fetchone()
        if row is None:
            return False, None
        raw, stored = row
        if raw is None:
            if not_found_for is not None and (stored is None
                                              or time.time() - stored > not_found_for):
                return False, None
            return True, None
        return True, json.loads(raw)

    def put(self, service: str, name: str, raw: dict | None) -> None:
        self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", (
            service, name, None if raw is None else json.dumps(raw, sort_keys=True),
            time.time()))

    def close(self) -> None:
        self._conn.close()


@dataclass
class OnlineResolver:
    """Names -> places through one geopy geocoder, a cache, and a rate limit."""

    geocoder: Geocoder
    cache: GeocodeCache
    service: str
    """Cache key of the service: its name and the options that change its answers."""
    min_delay_seconds: float = 1.0
    max_failures: int = 3
    budget: float | None = None
    """Seconds this resolver may spend asking (None: no limit); then names stay unresolved."""
    not_found_days: float | None = None
    """Days a cached "not found" is believed (None: for ever)."""
    requests: int = 0
    spent: float = 0.0
    """Seconds spent asking the service (rate-limit waits included)."""
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # No retries: a failed name is asked again on the next build, not hammered now.
        geocode = self.geocoder.geocode
        if isinstance(self.geocoder, Nominatim):
            # The address details carry the country code.
            geocode = functools.partial(geocode, addressdetails=True)
        self._geocode = RateLimiter(geocode,
                                    min_delay_seconds=self.min_delay_seconds, max_retries=0,
                                    swallow_exceptions=False)
        self._in_a_row = 0
        self._failed: set[str] = set()  # names that failed in this run: not asked again
        self._budget_said = False

    @property
    def identity(self) -> str:
        """What the article index's fingerprint records of this resolver."""
        return self.service

    def resolve(self, surface: str) -> tuple[Place | None, bool]:
        """(place or None, failed): ``failed`` is True when the service could not answer."""
        key = names.key(surface)
        if not key:
            return None, False
        known, raw = self.cache.get(self.service, key, None if self.not_found_days is None
                                    else self.not_found_days * 86400)
        if not known:
            if (self._in_a_row >= self.max_failures or key in self._failed
                    or self._over_budget()):
                return None, True
            started = time.monotonic()
            try:
                self.requests += 1
                location = self._geocode(surface, exactly_one=True)
                raw = _raw(location)
            except (GeopyError, ValueError, TypeError, KeyError, AttributeError) as exc:
                self.spent += time.monotonic() - started
                self._in_a_row += 1
                self._failed.add(key)
                self.failures.append(surface)
                warnings.warn(f"online geocoder: {surface!r} left unresolved "
                              f"({type(exc).__name__}: {_short(exc)})", MapperWarning,
                              stacklevel=2)
                if self._in_a_row == self.max_failures:
                    warnings.warn(f"online geocoder: {self.max_failures} failures in a row, "
                                  "not asking it again in this build", MapperWarning,
                                  stacklevel=2)
                return None, True
            self.spent += time.monotonic() - started
            self._in_a_row = 0
            self.cache.put(self.service, key, raw)
        if raw is None:
            return None, False
        try:
            return place_from_raw(raw, self.service.split(" ", 1)[0]), False
        except (KeyError, TypeError, ValueError) as exc:
            warnings.warn(f"online geocoder: unusable answer for {surface!r} ({_short(exc)})",
                          MapperWarning, stacklevel=2)
            return None, False

    def _over_budget(self) -> bool:
        """Whether the budget is spent (said once)."""
        if self.budget is None or self.spent < self.budget:
            return False
        if not self._budget_said:
            self._budget_said = True
            warnings.warn(f"online geocoder: its budget of {self.budget:g} s for this build is "
                          "spent; the remaining names stay unresolved (asked on the next "
                          "build)", MapperWarning, stacklevel=3)
        return True

    def close(self) -> None:
        self.cache.close()


def make_resolver(service: str, options: Mapping[str, str] | Iterable[str] = (), *,
                  cache_path: str | os.PathLike[str] | None = None) -> OnlineResolver:
    """An :class:`OnlineResolver` for a geopy service name ("nominatim", "photon"...).

    ``options`` are the geocoder's keyword arguments (strings such as ``domain=...``, or a
    mapping); ``min_delay_seconds`` sets the rate limit (default 1 s); ``user_agent``
    defaults to :func:`user_agent` and ``timeout`` to 10 s.
    """
    opts = dict(parse_options(options) if not isinstance(options, Mapping) else options)
    try:
        cls = get_geocoder_for_service(service)
    except GeopyError as exc:
        raise OnlineGeocoderError(f"unknown geocoder {service!r}: {exc}") from exc
    own = {}
    for name, default in _OWN_OPTIONS.items():
        try:
            own[name] = float(opts.pop(name, default))
        except ValueError:
            raise OnlineGeocoderError(f"geocoder option {name} is not a number") from None
    kwargs: dict[str, object] = {"user_agent": user_agent(), "timeout": 10.0}
    kwargs.update({k: _value(v) for k, v in opts.items()})
    answers = sorted((k, str(v)) for k, v in kwargs.items() if k not in _NEUTRAL_OPTIONS)
    bounded = functools.partial(BoundedAdapter, deadline=own["deadline"],
                                max_bytes=int(own["max_answer_bytes"]))
    try:
        geocoder = cls(**kwargs, adapter_factory=bounded)
    except (TypeError, ValueError, GeopyError) as exc:
        raise OnlineGeocoderError(f"cannot set up geocoder {service!r}: {exc}") from exc
    ident = service.lower() + " " + json.dumps(answers)
    cache = GeocodeCache(cache_path or default_cache_path())
    return OnlineResolver(geocoder, cache, ident, min_delay_seconds=own["min_delay_seconds"],
                          budget=own["budget"] or None,
                          not_found_days=own["not_found_days"] or None)


def parse_options(pairs: Iterable[str]) -> dict[str, str]:
    """``["key=value", ...]`` -> dict; raises :class:`OnlineGeocoderError` on a bad pair."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise OnlineGeocoderError(f"geocoder option {pair!r} is not key=value")
        out[key.strip()] = value
    return out


def _value(text: object) -> object:
    """Option strings as the geocoder wants them: numbers, booleans, else the string."""
    if not isinstance(text, str):
        return text
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def _raw(location: Location | None) -> dict | None:
    """What the cache keeps of an answer: the provider's record, plus the point geopy read."""
    if location is None:
        return None
    raw = dict(location.raw) if isinstance(location.raw, Mapping) else {}
    # Validates the point now, so garbage fails here (not cached) rather than at every build;
    # the service's own numbers first: geopy wraps a longitude of 9999 to -81.
    for lat_key, lon_key in (("lat", "lon"), ("lat", "lng"), ("latitude", "longitude")):
        if lat_key in raw and lon_key in raw:
            _in_range(float(raw[lat_key]), float(raw[lon_key]))
    lat, lon = float(location.latitude), float(location.longitude)
    _in_range(lat, lon)
    return raw | {"_lat": lat, "_lon": lon, "_address": str(location.address or "")}


def _in_range(lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"point out of range: lat {lat}, lon {lon}")


def place_from_raw(raw: Mapping, service: str) -> Place:
    """A :class:`Place` from a cached answer; Nominatim's records get ``osm:`` keys."""
    lat, lon = float(raw["_lat"]), float(raw["_lon"])
    address = str(raw.get("_address") or "")
    if "osm_type" in raw and "osm_id" in raw:
        key = f"osm:{raw['osm_type']}:{raw['osm_id']}"
        name = str(raw.get("name") or address.split(",")[0]).strip()
        kind = _nominatim_kind(raw)
        country = str((raw.get("address") or {}).get("country_code", "")).upper()[:2]
    else:
        digest = hashlib.sha1(f"{address}|{lat}|{lon}".encode()).hexdigest()[:16]
        key, name, kind, country = f"{service}:{digest}", address.split(",")[0], "feature", ""
    if not name:
        raise ValueError("the answer has no name")
    return Place(key=key, name=name, kind=kind, country=country, lat=lat, lon=lon)


def _nominatim_kind(raw: Mapping) -> str:
    cls, typ = str(raw.get("class") or raw.get("category") or ""), str(raw.get("type") or "")
    if cls == "place":
        return _PLACE_TYPES.get(typ, "feature")
    if cls == "boundary" and typ == "administrative":
        return _ADDRESS_TYPES.get(str(raw.get("addresstype") or ""), "admin2")
    return "feature"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:160]
