"""A commit journal: the outputs of one build replaced as a set, even across a kill.

Before a build renames its new files over the old ones, it writes the list of renames to
``<out>/.mapper.journal`` (flushed to disk, as are the new files). Whoever opens the folder
next (a build, ``mapper export``), holding its lock, calls :func:`recover`: a journal still
there means the build died on the way, and its renames are finished, so the folder holds
the new set whole; or, if a database the build was committing in place (the GeoPackage)
never committed, its new files are deleted, so the folder holds the old set whole.

That a database committed is told by its rollback journal: SQLite (``journal_mode=DELETE``)
deletes ``<db>-journal`` as the last step of a commit, and a transaction that did not commit
leaves it behind ("hot"), to be rolled back by the next connection.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from mapper import hooks

#: The journal's name in the folder (not one of the temporary names that are swept away).
JOURNAL_NAME = ".mapper.journal"


def begin(folder: Path, renames: Sequence[tuple[str | Path, Path]],
          databases: Sequence[Path] = ()) -> Path:
    """Write the journal of ``renames`` (new file, target; all in ``folder``) and of the
    ``databases`` about to commit in place, once the new files are on disk."""
    for tmp, _ in renames:
        _fsync(Path(tmp))
    record = {"renames": [[Path(t).name, Path(target).name] for t, target in renames],
              "databases": [Path(db).name for db in databases]}
    path = Path(folder) / JOURNAL_NAME
    tmp = path.with_name(path.name + ".new")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_folder(Path(folder))
    hooks.reached("journaled")
    return path


def finish(folder: Path) -> None:
    """The renames are done: drop the journal."""
    _fsync_folder(Path(folder))
    (Path(folder) / JOURNAL_NAME).unlink(missing_ok=True)


def recover(folder: Path) -> str | None:
    """Finish or undo what a build killed while committing left in ``folder`` (call it
    holding the folder's lock); returns what was done, or None when there was nothing."""
    folder = Path(folder)
    path = folder / JOURNAL_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        renames = [(folder / t, folder / target) for t, target in record["renames"]]
        databases = [folder / db for db in record["databases"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)  # never finished writing: nothing was renamed
        return None
    names = ", ".join(target.name for _, target in renames)
    hot = [db for db in databases if _hot(db)]
    if hot:
        for tmp, _ in renames:
            tmp.unlink(missing_ok=True)
        for db in hot:
            _roll_back(db)
        done = f"the new files of a build killed before it committed were deleted ({names})"
    else:
        for tmp, target in renames:
            if tmp.exists():
                os.replace(tmp, target)
        done = f"a build killed while putting its outputs in place was completed ({names})"
    finish(folder)
    return done


def _hot(db: Path) -> bool:
    """Whether ``db`` has a rollback journal left by a transaction that did not commit."""
    try:
        return db.with_name(db.name + "-journal").stat().st_size > 0
    except FileNotFoundError:
        return False


def _roll_back(db: Path) -> None:
    """Roll back what the hot journal of ``db`` holds now (SQLite does it on the first read
    of a connection that may write), not when some reader meets it."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    # A transaction that had not yet written the database file leaves a journal whose
    # header was never finished (its magic number still zero): SQLite ignores it, and it
    # would lie beside the GeoPackage until the next write.
    left = db.with_name(db.name + "-journal")
    try:
        with open(left, "rb") as fh:
            unfinished = fh.read(8) == bytes(8)
    except FileNotFoundError:
        return
    if unfinished:
        left.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """The renames in ``folder`` made durable (a directory's entries are flushed apart)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
