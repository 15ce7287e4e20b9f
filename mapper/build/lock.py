"""One build per output folder at a time: an exclusive lock on ``<out>/.mapper.lock``.

The lock is a POSIX record lock (``fcntl.lockf``) that the kernel releases when the process
that holds it ends, however it ends (``kill -9`` too): there is never a stale lock to delete
and no pid file. A record lock, not ``flock``: forked children (the parse workers, the
exports' writer) do not inherit it, so a killed build's leftover child cannot keep the
folder locked. Record locks belong to a process, so builds in threads of one process take
turns on a :class:`threading.Lock` per folder as well.

A folder the build may not write to (read-only, another user's) is read under a shared lock
when its lock file is there, and without one when it is not: a build that has nothing to
change needs no write access, and one that has fails when it writes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mapper.errors import BuildLockedError

#: The lock file in the output folder (hidden; never removed: removing a lock file that
#: another process is about to lock would let two builds in).
LOCK_NAME = ".mapper.lock"
#: Seconds between two tries while another build holds the folder.
POLL = 0.1

_threads: dict[Path, threading.Lock] = {}
_threads_lock = threading.Lock()


@contextmanager
def holding(out: Path, *, wait: bool = True,
            waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (which must exist) while the body runs.

    If another build holds it: with ``wait``, ``waiting(message)`` is called once and the
    lock is waited for; without, :class:`~mapper.errors.BuildLockedError` is raised."""
    out = Path(out)
    with _threads_lock:
        local = _threads.setdefault(out.resolve(), threading.Lock())
    message = f"another build is writing {out}; waiting for it to finish"
    if not local.acquire(blocking=False):
        if not wait:
            raise _locked(out)
        if waiting is not None:
            waiting(message)
            waiting = None
        local.acquire()
    try:
        fd, shared = _open(out / LOCK_NAME)
        try:
            if fd is not None:
                _lock(fd, shared, wait, out, waiting, message)
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the record lock
    finally:
        local.release()


def _open(path: Path) -> tuple[int | None, bool]:
    """The lock file open for writing (exclusive lock), else for reading (shared), else
    None where it cannot be created; never through a symbolic link."""
    flags = os.O_CLOEXEC | os.O_NOFOLLOW
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644), False
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
    try:
        return os.open(path, os.O_RDONLY | flags), True
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EACCES, errno.EPERM):
            return None, True
        raise


def _lock(fd: int, shared: bool, wait: bool, out: Path,
          waiting: Callable[[str], None] | None, message: str) -> None:
    """Take the record lock on ``fd``, polling (a blocking ``lockf`` could not be
    interrupted with Ctrl-C in every Python)."""
    kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    while True:
        try:
            fcntl.lockf(fd, kind | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
        if not wait:
            raise _locked(out)
        if waiting is not None:
            waiting(message)
            waiting = None
        time.sleep(POLL)


def _locked(out: Path) -> BuildLockedError:
    return BuildLockedError(f"another build is writing {out}; try again when it is done "
                            "(without --no-wait, mapper waits for it)")
