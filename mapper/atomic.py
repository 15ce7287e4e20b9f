"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mapper import hooks, journal


class Batch:
    """New versions of files, written beside their targets and put in place together,
    later: :meth:`commit` renames each over its target (in the order they were written),
    :meth:`discard` deletes them. A build writes its exports, its table of places and its
    map this way, and replaces them only once every one is written: a failure anywhere
    leaves all the old ones.

    ``flush_on_commit``: the files are fsynced by :meth:`commit`, not when written (so the
    map's fsync does not wait behind the exports' while they are flushed).
    """

    def __init__(self, flush_on_commit: bool = False) -> None:
        self.flush_on_commit = flush_on_commit
        self._files: list[tuple[str, Path]] = []
        self._pending: list[tuple[Callable[[], None], Callable[[], None]]] = []
        self._lock = threading.Lock()  # threads of one build write into it at once

    def add(self, tmp: str, target: Path) -> None:
        with self._lock:
            self._files.append((tmp, target))

    def add_pending(self, commit: Callable[[], None], discard: Callable[[], None],
                    database: Path | None = None) -> None:
        """A change made in place and not yet committed (a transaction of the SQLite
        ``database``): :meth:`commit` commits it before it renames the files,
        :meth:`discard` rolls it back."""
        with self._lock:
            self._pending.append((commit, discard, database))

    def written(self, target: str | os.PathLike[str]) -> Path:
        """The temporary file that is to replace ``target``."""
        with self._lock:
            return next(Path(tmp) for tmp, t in self._files if t == Path(target))

    def take(self) -> list[tuple[str, Path]]:
        """The files this batch holds (temporary file, target), handed to the caller to put
        in place: this batch forgets them."""
        with self._lock:
            files, self._files = self._files, []
        return files

    def hand_to(self, other: Batch | None) -> None:
        """Leave this batch's files to ``other`` to put in place (None: put them now)."""
        if other is None:
            self.commit()
            return
        with self._lock:
            files, self._files = self._files, []
            pending, self._pending = self._pending, []
        for tmp, target in files:
            other.add(tmp, target)
        for commit, discard, database in pending:
            other.add_pending(commit, discard, database)

    def commit(self, journal: Path | None = None) -> None:
        """Put everything in place. With ``journal`` (the folder of the targets), a commit
        journal is written first (see :mod:`mapper.journal`), so a kill part-way leaves a
        set that the next opener of the folder finishes or undoes as a whole."""
        with self._lock:
            files, self._files = self._files, []
            pending, self._pending = self._pending, []
        if journal is not None:
            self._commit_journaled(files, pending, journal)
            return
        try:
            self._commit_pending(pending)
            for tmp, target in files:
                if self.flush_on_commit:
                    _fsync(tmp)
                hooks.reached(f"rename:{target.name}")
                os.replace(tmp, target)
        finally:
            for tmp, _ in files:
                Path(tmp).unlink(missing_ok=True)  # those not renamed, after a failure

    def _commit_journaled(self, files: list[tuple[str, Path]], pending: list, folder: Path,
                          ) -> None:
        try:
            try:
                journal.begin(folder, files, [db for *_, db in pending if db is not None])
            except BaseException:
                for _, discard, _ in pending:
                    discard()
                raise
            self._commit_pending(pending)
        except BaseException:  # nothing renamed: the old set stands
            for tmp, _ in files:
                Path(tmp).unlink(missing_ok=True)
            journal.finish(folder)
            raise
        # A failure from here on leaves the journal: the next opener finishes the renames.
        for tmp, target in files:
            hooks.reached(f"rename:{target.name}")
            os.replace(tmp, target)
        journal.finish(folder)

    @staticmethod
    def _commit_pending(pending: list) -> None:
        for i, (commit, _, database) in enumerate(pending):
            if database is not None:
                hooks.reached(f"commit:{database.name}")
            try:
                commit()
            except BaseException:
                for _, discard, _ in pending[i + 1:]:
                    discard()
                raise

    def discard(self) -> None:
        with self._lock:
            files, self._files = self._files, []
            pending, self._pending = self._pending, []
        for _, discard, _ in pending:
            discard()
        for tmp, _ in files:
            Path(tmp).unlink(missing_ok=True)


@contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "w",
              batch: Batch | None = None) -> Iterator:
    """Open a temporary file beside ``path``; on success rename it over ``path`` (or, with
    ``batch``, leave that to :meth:`Batch.commit`).

    On an exception (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, file_mode())
        kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            if batch is None or not batch.flush_on_commit:
                os.fsync(fh.fileno())
        if batch is None:
            os.replace(tmp, target)
        else:
            batch.add(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once, at import: os.umask can only be read by setting it, and two threads (a build
#: writes its exports beside the map) doing that at once could leave it at 0.
_UMASK = _read_umask()


def file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0666 less the umask)."""
    return 0o666 & ~_UMASK


#: Temporary files and folders this package makes beside its outputs: "." + the target's
#: name + a random part (see replacing), ".mapper-..." folders, and a commit journal being
#: written (``.mapper.journal.new``).
TEMPORARY = (".mapper-", ".index.html.", ".places.html.", ".places.geojson.", ".mentions.csv.",
             ".mentions.geojson.", ".places.", ".mapper.journal.")


def remove_stale(folder: str | os.PathLike[str], older_than: float = 3600.0) -> None:
    """Delete what killed builds left in ``folder``: temporary files and folders of this
    package not touched for ``older_than`` seconds (0: all of them, for a caller that holds
    the folder's lock, so that no other build is writing its own)."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(TEMPORARY):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue


#: Characters :func:`write_parts` encodes at a time.
_CHUNK = 1 << 20


def write_text(path: str | os.PathLike[str], text: str, batch: Batch | None = None) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    with replacing(path, batch=batch) as fh:
        fh.write(text)


def write_parts(path: str | os.PathLike[str], parts: Iterable[str],
                batch: Batch | None = None) -> None:
    """:func:`write_text` of ``parts`` one after the other, a megabyte of UTF-8 at a time
    (a large page joined and encoded whole would be two more copies of it)."""
    with replacing(path, batch=batch) as fh:
        for part in parts:
            for at in range(0, len(part), _CHUNK):
                fh.write(part[at:at + _CHUNK])


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``."""
    with replacing(path, "wb") as fh:
        fh.write(data)
