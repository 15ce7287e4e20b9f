"""The output folder, checked before a build writes to it: not the articles folder nor
inside it, a folder that exists (made if need be), and no symbolic link where an output
goes (nothing is ever written through a link: a dangling ``mapper-index.sqlite`` link
would have the build create a file wherever it points)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mapper.build.lock import LOCK_NAME
from mapper.build.schema import INDEX_NAME
from mapper.errors import MapperError, OutputError
from mapper.exports import EXPORTS
from mapper.journal import JOURNAL_NAME
from mapper.render import MAP_FILES

#: Every file a build writes or opens in the output folder.
OUTPUTS = (*MAP_FILES, *EXPORTS, INDEX_NAME, f"{INDEX_NAME}-journal", "places.gpkg-journal",
           LOCK_NAME, JOURNAL_NAME)


def prepare(articles_dir: Path, out: Path) -> None:
    """Make ``out`` ready to hold a map of ``articles_dir``, or raise
    :class:`~mapper.errors.OutputError` saying why it cannot."""
    articles, target = Path(os.path.realpath(articles_dir)), Path(os.path.realpath(out))
    if target == articles or articles in target.parents:
        raise OutputError(f"--out {out} is {'the' if target == articles else 'inside the'} "
                          f"articles folder {articles_dir}; choose a folder outside it")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"--out {out}: not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot make the output folder {out}: "
                          f"{exc.strerror or exc}") from None
    for name in OUTPUTS:
        if (out / name).is_symlink():
            raise OutputError(f"{out / name} is a symbolic link; mapper writes no output "
                              "through one (remove it, or build into another --out)")


@contextmanager
def write_errors(out: Path) -> Iterator[None]:
    """The body's failures to write (a full disk, a read-only folder) as one
    :class:`~mapper.errors.OutputError` naming the path and the cause; the outputs are
    replaced together or not at all, so the old ones stand."""
    try:
        yield
    except MapperError:
        raise
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise OutputError(f"cannot write the map in {out}: {exc.strerror or exc}{where}; "
                          "the previous outputs are as they were") from exc
    except sqlite3.Error as exc:
        raise OutputError(f"cannot write the map in {out}: {exc}; the previous outputs are "
                          "as they were") from exc
