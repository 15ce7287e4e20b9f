"""What an article index's rows depend on, as one hash: if it changes, parse everything again.

The rows are a function of the articles and of: the code that reads, parses and excerpts
them, the gazetteer's data, the word lists the recogniser consults, and the online geocoder
(service and options). A new gazetteer or a tuned resolver must not leave stale mentions.
"""

from __future__ import annotations

import hashlib
import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from mapper.gazetteer import Gazetteer
from mapper.paths import geodata_dir

#: Modules whose code decides what the index holds.
MODULES = ("corpus", "furniture", "names", "gazetteer", "recognize", "resolve", "geoparse",
           "excerpts", "unknown", "online", "models")
#: Gazetteer files the geoparser reads (the boundary files only matter to the renderer,
#: which runs on every build anyway).
GEODATA = ("places.parquet", "names.parquet")
#: Packages whose data the recogniser consults.
PACKAGES = ("wordfreq", "english-words")


def _code_digest() -> bytes:
    """The hash of the modules' source, as this process imports them (not as the files may
    read later: the running code is what produced the rows)."""
    h = hashlib.sha256()
    for name in MODULES:
        module = importlib.import_module(f"mapper.{name}")
        h.update(name.encode() + b"\0" + Path(module.__file__).read_bytes())
    return h.digest()


_CODE = _code_digest()


def fingerprint(gazetteer: Gazetteer, online: str = "") -> str:
    """A hex digest of everything but the articles that the index's rows depend on."""
    h = hashlib.sha256(_CODE)
    folder = getattr(gazetteer, "_folder", None) or geodata_dir()
    for name in GEODATA:
        path = Path(folder) / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"-"))
    h.update(str(len(gazetteer)).encode())
    for package in PACKAGES:
        try:
            h.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            h.update(package.encode())
    h.update(b"online\0" + online.encode())
    return h.hexdigest()
