"""Resolve names the gazetteer lacks through an online geocoder (geopy), asking each name once.

:class:`OnlineResolver` wraps any geopy geocoder in a :class:`~geopy.extra.rate_limiter.
RateLimiter` (Nominatim's policy is one request a second) and a persistent
:class:`GeocodeCache`, so a name is sent once, ever, and a "not found" is remembered too.
A failure (timeout, HTTP 429 or 5xx, a reply that is not the service's JSON) is never cached
and never raised: the name stays unresolved, a :class:`~mapper.errors.MapperWarning` says so,
and the caller may ask again on the next build. After :attr:`OnlineResolver.max_failures`
failures in a row the service is taken as down and not asked again in this run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
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
from mapper.paths import cache_dir

#: Options that are ours, not the geocoder's constructor's.
_OWN_OPTIONS = ("min_delay_seconds",)
#: Options that do not change a service's answers (left out of the cache key).
_NEUTRAL_OPTIONS = frozenset({"user_agent", "timeout", "min_delay_seconds"})
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
    """Answers of online geocoders, by service and name key, in SQLite (``None``: not found)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            self._conn.execute("CREATE TABLE IF NOT EXISTS answers (service TEXT NOT NULL, "
                               "name TEXT NOT NULL, raw TEXT, PRIMARY KEY (service, name))")
        except sqlite3.DatabaseError:
            # A cache is worth nothing against a build: start a new one.
            self._conn.close()
            self.path.unlink(missing_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._conn.execute("CREATE TABLE answers (service TEXT NOT NULL, name TEXT NOT "
                               "NULL, raw TEXT, PRIMARY KEY (service, name))")

    def get(self, service: str, name: str) -> tuple[bool, dict | None]:
        """(known, raw): ``known`` False when the name was never answered."""
        row = self._conn.execute("SELECT raw FROM answers WHERE service = ? AND name = ?",
                                 (service, name)).fetchone()
        if row is None:
            return False, None
        return True, (json.loads(row[0]) if row[0] is not None else None)

    def put(self, service: str, name: str, raw: dict | None) -> None:
        self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (
            service, name, None if raw is None else json.dumps(raw, sort_keys=True)))

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
    requests: int = 0
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

    @property
    def identity(self) -> str:
        """What the article index's fingerprint records of this resolver."""
        return self.service

    def resolve(self, surface: str) -> tuple[Place | None, bool]:
        """(place or None, failed): ``failed`` is True when the service could not answer."""
        key = names.key(surface)
        if not key:
            return None, False
        known, raw = self.cache.get(self.service, key)
        if not known:
            if self._in_a_row >= self.max_failures or key in self._failed:
                return None, True
            try:
                self.requests += 1
                location = self._geocode(surface, exactly_one=True)
                raw = _raw(location)
            except (GeopyError, ValueError, TypeError, KeyError, AttributeError) as exc:
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
    delay = float(opts.pop("min_delay_seconds", 1.0))
    kwargs: dict[str, object] = {"user_agent": user_agent(), "timeout": 10.0}
    kwargs.update({k: _value(v) for k, v in opts.items()})
    try:
        geocoder = cls(**kwargs)
    except (TypeError, ValueError, GeopyError) as exc:
        raise OnlineGeocoderError(f"cannot set up geocoder {service!r}: {exc}") from exc
    answers = sorted((k, str(v)) for k, v in kwargs.items() if k not in _NEUTRAL_OPTIONS)
    ident = service.lower() + " " + json.dumps(answers)
    cache = GeocodeCache(cache_path or default_cache_path())
    return OnlineResolver(geocoder, cache, ident, min_delay_seconds=delay)


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
    # Validates the point now, so garbage fails here (not cached) rather than at every build.
    lat, lon = float(location.latitude), float(location.longitude)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"point out of range: {lat}, {lon}")
    return raw | {"_lat": lat, "_lon": lon, "_address": str(location.address or "")}


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
