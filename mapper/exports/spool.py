"""The export lines of the articles a build formatted (:class:`~.rows.Lines`), one unnamed
temporary file per stream in the output folder, so the kernel can copy from them into the
exports (:mod:`.splice`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mapper.exports.rows import STREAMS, Lines
from mapper.exports.splice import Piece


class Spool:
    """Per article its :class:`~.rows.Lines`, each stream in a file of its own."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._opened: dict | None = None
        self.at: dict[str, tuple[tuple[int, int], ...]] = {}
        """Article id -> per stream of :data:`~.rows.STREAMS` (offset, length)."""

    @property
    def _files(self) -> dict:
        """The stream files, made when the first lines arrive: a build that has nothing to
        write makes nothing (and needs no write access)."""
        if self._opened is None:
            # Owned by the spool and closed by close(), not by a with block here.
            self._opened = {s: tempfile.TemporaryFile(dir=self._folder)  # noqa: SIM115
                            for s in STREAMS}
        return self._opened

    def add(self, article_id: str, lines: Lines) -> None:
        at = []
        for stream, fh in self._files.items():
            data = getattr(lines, stream)
            at.append((fh.tell(), len(data)))
            fh.write(data)
        self.at[article_id] = tuple(at)

    def piece(self, article_id: str, stream: str) -> Piece:
        """Where the article's lines of ``stream`` are."""
        offset, length = self.at[article_id][STREAMS.index(stream)]
        return Piece(self._files[stream].fileno(), offset, length)

    def flush(self) -> None:
        for fh in (self._opened or {}).values():
            fh.flush()

    def close(self) -> None:
        for fh in (self._opened or {}).values():
            fh.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
