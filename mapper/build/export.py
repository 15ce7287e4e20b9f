"""``mapper export``: any export of a built map, written later from its article index
without parsing again (the same bytes a build that asked for it writes)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mapper import journal
from mapper.build.index import INDEX_NAME, ArticleIndex
from mapper.build.lock import holding
from mapper.build.mapview import MapView
from mapper.build.places import places_frame_of_rows
from mapper.build.records import make_record
from mapper.exports import FORMATS, Spool, write_exports
from mapper.exports.rows import streams_for
from mapper.parse.gazetteer import Gazetteer, default_gazetteer


def export(map_dir: str | os.PathLike[str], fmt: str, dest: str | os.PathLike[str] | None = None,
           *, gazetteer: Gazetteer | None = None) -> Path:
    """Write the export ``fmt`` (a key of :data:`mapper.exports.FORMATS`) of the map built
    into ``map_dir`` to ``dest`` (default: its usual name in ``map_dir``, where later builds
    keep it up to date); returns its path. It holds what the last build indexed."""
    name = FORMATS[fmt]
    map_dir = Path(map_dir)
    dest = Path(dest) if dest is not None else map_dir / name
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Not while a build writes the folder: its index and exports are changing.
    with (holding(map_dir) if map_dir.is_dir() else contextlib.nullcontext(),
          ArticleIndex.open_built(map_dir / INDEX_NAME) as index,
          tempfile.TemporaryDirectory(dir=dest.parent, prefix=".mapper-export-") as tmp,
          Spool(Path(tmp)) as spool):
        journal.recover(map_dir)  # a build killed while committing: its set made whole
        layout = index.layout()
        for stored in index.stored(aid for aid, _, _ in layout):
            rec = make_record(stored.article, stored.mentions, stored.unresolved,
                              pending=stored.pending, streams=streams_for([name]))
            spool.add(rec.article.id, rec.lines)

        def places():
            return places_frame_of_rows(MapView(index).place_rows(),
                                        gazetteer or default_gazetteer())

        write_exports(Path(tmp), places, layout, spool, [name])
        os.replace(Path(tmp) / name, dest)
    return dest
