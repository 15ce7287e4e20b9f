"""The incremental build: plan what changed, parse it into the article index, refresh the
map's saved view, write the map and the exports (see :mod:`.pipeline`)."""

from mapper.build.options import BuildOptions
from mapper.build.pipeline import BuildResult, build

__all__ = ["BuildOptions", "BuildResult", "build"]
