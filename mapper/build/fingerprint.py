"""Every "is this up to date" of a build, in one place.

- :func:`fingerprint`: what the article index's rows depend on besides the articles (the
  code that reads, parses and excerpts them, the gazetteer's data, the word lists the
  recogniser consults, the online geocoder). If it changes, everything is parsed again: a
  new gazetteer or a tuned resolver must not leave stale mentions.
- ``ArticleIndex.contents_digest()``: what the index holds (every article's id and hash).
- :func:`shown_stamp`: what the map's saved view was refreshed for.
- :func:`exports_stamp` and :func:`map_stamp`: what the files on disk were written from,
  with their sizes and times, so that files edited or deleted by hand are written again.
- :func:`render_fingerprint`: the code, templates and data that draw the page.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import xxhash

from mapper.errors import GazetteerError
from mapper.parse.gazetteer import Gazetteer
from mapper.paths import geodata_dir
from mapper.render import MAP_FILES

#: What makes the index's rows (reading, parsing, excerpts, the export lines kept per
#: article, the page fragments kept per article), relative to the package: every module of
#: these packages, so a module added to one later is covered without anyone listing it.
PRODUCERS = ("models.py", "paths.py", "read", "parse", "build", "exports",
             "render/passages.py")
#: Modules there whose code cannot change what the index holds.
UNRELATED = frozenset({"read/inbox.py", "read/watching.py", "read/fetch.py", "read/feeds.py",
                       "parse/evaluate.py", "build/lock.py", "build/outdir.py"})
#: Gazetteer files the geoparser reads (the boundary files only matter to the renderer,
#: which runs on every build anyway).
GEODATA = ("places.parquet", "names.parquet")
#: Packages whose data the recogniser consults, and those that extract the text and
#: metadata of web pages and PDFs: a new version can change what an article's text is.
PACKAGES = ("wordfreq", "english-words", "names", "py3langid", "trafilatura", "htmldate",
            "pypdf", "dateparser")


def code_files(package: Path) -> list[Path]:
    """The modules of ``package`` (the folder of ``mapper``) that make the index's rows
    (:data:`PRODUCERS`, less :data:`UNRELATED`), sorted."""
    files = []
    for name in PRODUCERS:
        path = package / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in files if p.relative_to(package).as_posix() not in UNRELATED]


def code_digest(package: Path) -> bytes:
    """The hash of :func:`code_files`: their paths and bytes."""
    h = hashlib.sha256()
    for path in code_files(package):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


#: Computed at import, next to the imports of the code that produces the rows.
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = code_digest(_PACKAGE)


def fingerprint(gazetteer: Gazetteer | Path, online: str = "") -> str:
    """A hex digest of everything but the articles that the index's rows depend on.

    ``gazetteer``: the one the parser uses, or the folder it loads from (the same digest:
    a build opens its index while the gazetteer is still loading)."""
    h = hashlib.sha256(_CODE)
    folder = gazetteer if isinstance(gazetteer, Path) else getattr(gazetteer, "_folder", None)
    in_memory = folder is None and not isinstance(gazetteer, Path)
    for name in GEODATA:
        path = Path(folder or geodata_dir()) / name
        try:
            h.update(name.encode() + b"\0" + path.read_bytes())
        except OSError as exc:
            if in_memory:  # files it was not read from
                h.update(name.encode() + b"\0-")
                continue
            # Said before the index is opened (and found stale) for nothing.
            raise GazetteerError(f"cannot read the gazetteer in {path.parent}: {exc}. "
                                 "Rebuild it with `python geodata/build.py`.") from exc
    if in_memory:
        h.update(str(len(gazetteer)).encode())
    for package in PACKAGES:
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(package.encode())
    h.update(b"online\0" + online.encode())
    return h.hexdigest()


#: What the renderer reads besides the index: the boundaries of the basemap.
RENDER_GEODATA = ("countries.parquet", "admin1.parquet")


def render_fingerprint() -> str:
    """A hex digest of the code, templates and data that draw the map, and the versions of
    the packages that do: a map whose index did not change is drawn again when this does."""
    h = hashlib.sha256(_CODE)
    package = _PACKAGE
    for path in sorted((package / "render").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in RENDER_GEODATA:
        path = geodata_dir() / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"-"))
    for dist in ("folium", "branca", "xyzservices", "django-js-lib-leaflet"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def shown_stamp(digest: str, cap: int, partial: bool) -> str:
    """What the index's places, shown excerpts and payload fragments were refreshed for:
    its contents ``digest``, the cap per place and whether texts are embedded in part."""
    return json.dumps([digest, cap, partial])


#: Exports larger than this (bytes) are stamped by their stat alone, not their digest: every
#: warm build would read the whole file again (a 1.1 GB GeoPackage at 100,000 articles; over
#: a second when the page cache no longer holds it). Found with another stat, such a file is
#: written again rather than read to tell whether its bytes are the same.
DIGEST_LIMIT = 256 * 1024 * 1024


def exports_stamp(out: Path, digest: str, names: tuple[str, ...]) -> str:
    """What the exports ``names`` in ``out`` were made of (``digest``), their sizes and
    times and the digest of their bytes (:func:`file_digest`): when a build computes the
    same stamp, the files on disk are the ones it would write, and :func:`exports_damage`
    can tell a file that is not the one the build wrote."""
    files = files_stamp(out, names)
    if not files:
        return ""
    for f in files:
        f.append(file_digest(out / f[0]) if f[1] <= DIGEST_LIMIT else None)
    return json.dumps({"digest": digest, "files": files}, separators=(",", ":"))


def exports_fresh(stamp: str | None, out: Path, digest: str, names: tuple[str, ...]) -> bool:
    """Whether the exports ``names`` in ``out`` are files that :func:`exports_stamp`
    recorded in ``stamp``, made of ``digest`` (other exports it recorded may be gone)."""
    if not stamp or files_stamp(out, names) is None:
        return False
    recorded = json.loads(stamp)
    mine = {f[0] for f in recorded["files"]}
    return (recorded["digest"] == digest and all(n in mine for n in names)
            and not exports_damage(stamp, out, names))


def exports_damage(stamp: str | None, out: Path, names: tuple[str, ...]) -> dict[str, str]:
    """The exports of ``names`` that ``stamp`` recorded and that are not in ``out`` as it
    recorded them, each with how it differs: missing, another size, other bytes. A file
    with the recorded stat is taken as it is (its bytes cannot have changed without its
    change time); another stat and the recorded digest means the same bytes (a file above
    :data:`DIGEST_LIMIT` has none: another stat is damage)."""
    if not stamp:
        return {}
    recorded = {f[0]: f for f in json.loads(stamp)["files"]}
    damage = {}
    for name in names:
        was = recorded.get(name)
        if was is None:  # not written by the last build
            continue
        path = Path(out) / name
        try:
            st = path.stat()
        except FileNotFoundError:
            damage[name] = "is missing"
            continue
        if [name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] == was[:5]:
            continue
        if st.st_size != was[1]:
            damage[name] = f"is {st.st_size:,} bytes, not the {was[1]:,} the last build wrote"
        elif len(was) < 6 or was[5] is None:
            damage[name] = ("is not the file the last build wrote (same size, other times or "
                          "inode; too large to read and compare)")
        elif file_digest(path) != was[5]:
            damage[name] = "does not hold the bytes the last build wrote"
    return damage


def file_digest(path: Path) -> str:
    """The XXH3-128 digest of the file at ``path``, in hex: it tells damaged files from
    those a build wrote (no adversary to resist), and reads a 1 GB GeoPackage in a tenth of
    the time SHA-256 takes, which every warm build would otherwise pay."""
    with open(path, "rb") as fh:
        return "xxh3:" + hashlib.file_digest(fh, xxhash.xxh3_128).hexdigest()


def map_stamp(out: Path, digest: str, title: str, cap: int) -> str:
    """What the map in ``out`` was made of: the index's contents, the settings, the code and
    data that draw it, and the files' sizes and times."""
    files = files_stamp(out, MAP_FILES)
    return json.dumps({"digest": digest, "title": title, "cap": cap,
                       "render": render_fingerprint(), "files": files},
                      separators=(",", ":")) if files else ""


def map_on_disk(stamp: str | None, out: Path) -> bool:
    """Whether the map files in ``out`` are those :func:`map_stamp` recorded in ``stamp``."""
    files = files_stamp(out, MAP_FILES)
    return bool(stamp) and files is not None and json.loads(stamp)["files"] == files


def files_stamp(out: Path, names: tuple[str, ...]) -> list[list] | None:
    """Per file of ``names`` in ``out`` its size, times and inode; None if one is missing."""
    files = []
    for name in names:
        try:
            st = (Path(out) / name).stat()
        except FileNotFoundError:
            return None
        files.append([name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return files
