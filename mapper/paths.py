"""Where mapper finds its embedded data."""

from __future__ import annotations

import os
from pathlib import Path


def geodata_dir() -> Path:
    """The folder of the embedded gazetteer and boundaries.

    ``$MAPPER_GEODATA`` overrides it; by default it is ``geodata/`` at the top of the repo,
    beside the package (mapper is installed editable, ``pip install -e .``).
    """
    env = os.environ.get("MAPPER_GEODATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "geodata"


def cache_dir() -> Path:
    """The folder of what mapper keeps between runs (the online geocoder's answers, word
    lists it derived): ``$MAPPER_CACHE_DIR``, else the user's cache folder."""
    env = os.environ.get("MAPPER_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mapper"))
