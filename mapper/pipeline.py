"""The whole job: a folder of articles -> mentions -> places -> the map and its exports."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mapper.corpus import Problem, read_corpus
from mapper.excerpts import excerpts_for
from mapper.gazetteer import Gazetteer, default_gazetteer
from mapper.geoparse import Geoparser
from mapper.models import Excerpt, Mention
from mapper.parallel import parse_many
from mapper.render import write_map
from mapper.store import places_frame, write_mentions_csv, write_places_geojson


@dataclass(frozen=True)
class BuildResult:
    """What a build read and wrote."""

    articles: int
    places: int
    mentions: int
    out_dir: Path
    map_path: Path
    problems: tuple[Problem, ...] = field(default=())


def build(articles_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
          gazetteer: Gazetteer | None = None, title: str = "mapper") -> BuildResult:
    """Geoparse every article of ``articles_dir`` and write ``index.html``,
    ``places.geojson`` and ``mentions.csv`` into ``out_dir``.

    Unreadable articles are skipped and listed in ``BuildResult.problems``; each output file
    is replaced atomically, so a failed build leaves the previous map as it was.
    """
    out = Path(out_dir)
    articles, problems = read_corpus(articles_dir)
    parser = Geoparser(gazetteer or default_gazetteer())
    mentions: list[Mention] = []
    excerpts: list[Excerpt] = []
    for article, found in zip(articles, parse_many(articles, parser=parser)):
        mentions.extend(found)
        excerpts.extend(excerpts_for(article, found))
    places = places_frame(mentions, parser.gazetteer)
    out.mkdir(parents=True, exist_ok=True)
    write_places_geojson(places, out / "places.geojson")
    write_mentions_csv(mentions, excerpts, articles, out / "mentions.csv")
    map_path = write_map(places, excerpts, articles, out, title=title)
    return BuildResult(len(articles), len(places), len(mentions), out, map_path,
                       tuple(problems))
