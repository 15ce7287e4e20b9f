"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "w") -> Iterator:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

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
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
#: name + a random part (see replacing), and ".mapper-..." folders.
TEMPORARY = (".mapper-", ".index.html.", ".places.html.", ".places.geojson.", ".mentions.csv.",
             ".mentions.geojson.", ".places.")


def remove_stale(folder: str | os.PathLike[str], older_than: float = 3600.0) -> None:
    """Delete what killed builds left in ``folder``: temporary files and folders of this
    package not touched for ``older_than`` seconds (a build running beside this one keeps
    writing to its own)."""
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


#: Characters :class:`Staged` encodes at a time.
_CHUNK = 1 << 20


class Staged:
    """A new version of ``path``, written to a temporary file beside it: :meth:`commit`
    puts it in place, :meth:`discard` drops it. A build stages its map while the exports
    are written and replaces it once they are: the map's fsync then no longer waits behind
    the 500 MB the exports are flushing, and a failed export leaves the old map too."""

    def __init__(self, path: str | os.PathLike[str], parts: Iterable[str]) -> None:
        """Write ``parts`` (UTF-8), one after the other, beside ``path``."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                         dir=self.path.parent)
        try:
            os.chmod(self._tmp, file_mode())
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                for part in parts:  # a megabyte at a time: no UTF-8 copy of a whole part
                    for at in range(0, len(part), _CHUNK):
                        fh.write(part[at:at + _CHUNK])
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        """fsync the new version and rename it over ``path``."""
        try:
            fd = os.open(self._tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        Path(self._tmp).unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    with replacing(path) as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``."""
    with replacing(path, "wb") as fh:
        fh.write(data)
