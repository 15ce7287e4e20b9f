"""The GIS exports beside the map: what a mention becomes as columns (:mod:`.rows`) and the
writers of ``places.geojson``, ``mentions.csv``, ``mentions.geojson`` and ``places.gpkg``."""

from mapper.exports.mention_files import Layout, Spool, matches, write_mention_files
from mapper.exports.rows import MENTION_COLUMNS, mention_chunks
from mapper.exports.write import EXPORTS, write_exports

__all__ = ["EXPORTS", "MENTION_COLUMNS", "Layout", "Spool", "matches", "mention_chunks",
           "write_exports", "write_mention_files"]
