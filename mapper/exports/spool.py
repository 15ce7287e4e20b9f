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
        # Owned by the spool and closed by close(), not by a with block here.
        self._files = {s: tempfile.TemporaryFile(dir=folder) for s in STREAMS}  # noqa: SIM115
        self.at: dict[str, tuple[tuple[int, int], ...]] = {}
        """Article id -> per stream of :data:`~.rows.STREAMS` (offset, length)."""

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
        for fh in self._files.values():
            fh.flush()

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
