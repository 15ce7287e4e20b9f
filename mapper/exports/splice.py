"""Write a file made of byte ranges of other files, without passing the bytes through Python.

The mention exports of a large corpus are hundreds of megabytes. When one article is added,
the new files
are the old ones with the new article's lines inserted where its id sorts: each run of
unchanged articles is copied from the old file by the kernel (``os.copy_file_range``), and
only the new lines come from elsewhere (the build's spool).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapper.atomic import Batch, replacing

#: Bytes per read when the kernel cannot copy between the two files itself.
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Piece:
    """``length`` bytes at ``offset`` of the open file ``fd``."""

    fd: int
    offset: int
    length: int


def splice(path: str | os.PathLike[str], head: bytes, pieces: Iterable[Piece],
           tail: bytes = b"", sep: bytes = b"", batch: Batch | None = None) -> None:
    """Atomically replace ``path`` with ``head``, the pieces joined by ``sep``, ``tail``.

    With ``batch``, the new file is put in place by :meth:`~mapper.atomic.Batch.commit`.
    Empty pieces are left out (no separator for them). Consecutive pieces of one file that
    are ``sep`` apart are copied as one range, so the file is assumed to hold ``sep``
    between them: true of a file this function wrote with the same ``sep``.
    """
    with replacing(Path(path), "wb", batch=batch) as fh:
        out = fh.fileno()
        _write(out, head)
        run: Piece | None = None
        first = True
        for piece in pieces:
            if not piece.length:
                continue
            if run and piece.fd == run.fd and piece.offset == run.offset + run.length + len(sep):
                run = Piece(run.fd, run.offset, run.length + len(sep) + piece.length)
                continue
            if run:
                first = _flush(out, run, sep, first)
            run = piece
        if run:
            _flush(out, run, sep, first)
        _write(out, tail)


def _flush(out: int, piece: Piece, sep: bytes, first: bool) -> bool:
    if not first:
        _write(out, sep)
    copy_range(piece.fd, out, piece.offset, piece.length)
    return False


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def copy_range(src: int, dst: int, offset: int, length: int) -> None:
    """Append ``length`` bytes at ``offset`` of ``src`` to ``dst`` (at its file position)."""
    while length > 0:
        try:
            done = os.copy_file_range(src, dst, length, offset)
        except (AttributeError, OSError) as exc:  # not Linux, another file system...
            if isinstance(exc, OSError) and exc.errno not in (
                    errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
                raise
            break
        if done == 0:
            raise OSError(errno.EIO, f"{length} bytes missing at offset {offset} of a source")
        offset += done
        length -= done
    while length > 0:
        data = os.pread(src, min(length, _BLOCK), offset)
        if not data:
            raise OSError(errno.EIO, f"{length} bytes missing at offset {offset} of a source")
        _write(dst, data)
        offset += len(data)
        length -= len(data)
