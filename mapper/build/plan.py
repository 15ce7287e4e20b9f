"""What a build has to do: the folder's article files against what the index knows.

New files and files whose bytes changed (or whose online lookups failed last time) are to
be parsed; files gone from the folder leave the map; the rest are not even read when their
stat is the one the index recorded (see :mod:`mapper.read.scan`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mapper import exports
from mapper.build.fingerprint import exports_fresh
from mapper.build.index import ArticleIndex
from mapper.read.corpus import Problem
from mapper.read.scan import Entry, Stat, Walked, article_path, compare, walk


@dataclass(frozen=True)
class Plan:
    """The work of one build, found before anything is parsed or written."""

    to_parse: list[Entry]
    """New and changed article files."""
    present: frozenset[str]
    """Ids of the readable article files in the folder."""
    known: frozenset[str]
    """Ids of the articles the index held before this build."""
    problems: list[Problem]
    """Files found that are not readable articles (directories named like one)."""
    unchanged: int
    """Articles whose bytes are those the index holds."""
    stats: dict[str, Stat | None]
    """Unchanged articles whose files' stat moved on: their new stat, to record."""
    touched: list[str]
    """Ids, sorted, of the known articles gone from the folder and of those to parse."""
    places_touched: set[str]
    """Keys of the places the touched known articles named."""
    digest_before: str
    """The index's contents digest before this build (see :mod:`.fingerprint`)."""
    ignored: dict[str, int]
    """Files of other types in the folder, counted by ending (".docx": 3)."""
    previous: exports.Layout | None
    """The layout the mention files on disk were written for, when the exports on disk are
    those of the index as it was (then they are spliced or updated in place, not written
    from scratch); empty when no mention file is written."""

    @property
    def gone(self) -> list[str]:
        """Known articles no longer in the folder."""
        return [i for i in self.known if i not in self.present]


def plan(index: ArticleIndex, articles_dir: str | os.PathLike[str], out: Path,
         max_bytes: int, exports_written: tuple[str, ...], follow_links: bool = False,
         walked: Callable[[], Walked] | None = None) -> Plan:
    """Compare the article files of ``articles_dir`` (not ``out``) with ``index``; the
    build writes the exports ``exports_written``; links leading outside the folder are
    problems unless ``follow_links``. ``walked()``: the walk of the folder
    (:func:`~mapper.read.scan.walk`), when the build started it elsewhere (else it is
    made here)."""
    known = index.known()
    found = walked() if walked is not None else walk(articles_dir, exclude=(out,),
                                                     follow_links=follow_links)
    ignored: Counter[str] = found.ignored
    same, entries = compare(found, articles_dir, max_bytes=max_bytes, known=known)
    problems = [Problem(str(e.path), e.note) for e in entries if e.note]
    readable = [e for e in entries if not e.note]
    # Set operations over ids, not a loop over 100,000 entries: most are in ``same``.
    pending = {i for i, k in known.items() if k.pending}
    fresh = (set(same) | {e.id for e in readable
                          if e.id in known and e.sha256 == known[e.id].sha256}) - pending
    stats = {e.id: e.stat for e in readable if e.id in fresh and e.stat != known[e.id].stat}
    to_parse = [e for e in readable if e.id not in fresh]
    to_parse += [Entry(i, article_path(articles_dir, i), known[i].sha256,
                       stat=known[i].stat) for i in same if i in pending]
    to_parse.sort()
    present = frozenset(same).union(e.id for e in readable)
    touched = sorted((known.keys() - present) | {e.id for e in to_parse})
    digest = index.contents_digest()
    previous = None
    if exports_fresh(index.meta("exports"), out, digest, exports_written):
        if any(n in exports.MENTION_FILES for n in exports_written):
            previous = index.layout()
            if not exports.matches(out, previous, exports_written):
                previous = None
        else:
            previous = []  # no mention file to splice: the layout is not read
    return Plan(to_parse=to_parse, present=present, known=frozenset(known),
                problems=problems, unchanged=len(fresh), stats=stats, touched=touched,
                places_touched=index.places_of(i for i in touched if i in known),
                digest_before=digest, ignored=dict(ignored), previous=previous)
