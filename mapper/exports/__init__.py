"""The GIS exports beside the map: what a mention becomes as columns (:mod:`.rows`) and the
writers of ``places.geojson``, ``places.gpkg`` and, when asked for, ``mentions.csv`` and
``mentions.geojson``."""

from mapper.exports.mention_files import MENTION_FILES, Layout, matches, write_mention_files
from mapper.exports.rows import MENTION_COLUMNS, Lines, export_lines
from mapper.exports.spool import Spool
from mapper.exports.write import DEFAULT_EXPORTS, EXPORTS, FORMATS, exports_to_write, write_exports

__all__ = ["DEFAULT_EXPORTS", "EXPORTS", "FORMATS", "MENTION_COLUMNS", "MENTION_FILES",
           "Layout", "Lines", "Spool", "export_lines", "exports_to_write", "matches",
           "write_exports", "write_mention_files"]
