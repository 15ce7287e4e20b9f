"""What a build is asked to do: one frozen dataclass that the command makes and every step
of the build takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mapper.parse.gazetteer import Gazetteer
from mapper.parse.online import OnlineResolver
from mapper.read.corpus import DEFAULT_MAX_BYTES

#: ``progress(done, total)`` after each batch of parsed articles.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """The settings of one build (see :func:`mapper.build.build`)."""

    title: str = "mapper"
    """The map page's title."""
    jobs: int = 1
    """Worker processes that read and parse (1: this process)."""
    max_excerpts: int | None = None
    """Excerpts per place the map embeds, newest first (None: the default cap, 0: all;
    see :mod:`mapper.build.mapview`)."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Articles larger than this are reported and skipped, unread."""
    follow_links: bool = False
    """Follow symbolic links that lead outside the articles folder (else each is reported
    and skipped)."""
    exports: tuple[str, ...] = ()
    """Export files asked for besides the default ones (``"mentions.csv"``,
    ``"mentions.geojson"``; see :data:`mapper.exports.FORMATS`)."""
    scheduler: object = field(default=None, compare=False)
    """A Dask scheduler address or ``Client`` to parse on instead of ``jobs`` processes."""
    online: OnlineResolver | None = field(default=None, compare=False)
    """Resolves names the gazetteer lacks online (see :mod:`mapper.parse.online`)."""
    gazetteer: Gazetteer | None = field(default=None, compare=False)
    """The gazetteer to parse with (None: the embedded one)."""
    progress: Progress | None = field(default=None, compare=False)
    wait: bool = True
    """Wait while another build writes the same output folder (False: raise
    :class:`~mapper.errors.BuildLockedError`; see :mod:`mapper.build.lock`)."""
    waiting: Callable[[str], None] | None = field(default=None, compare=False)
    """Told (once, with a message) when the build waits for another one."""
    timings: dict[str, float] | None = field(default=None, compare=False)
    """When given, receives seconds per stage (for the benchmark)."""
