"""Copy new article files into a corpus folder, never clobbering a different article."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from mapper.atomic import write_bytes
from mapper.errors import ArticleError, CorpusConflictError
from mapper.read.corpus import EXTENSIONS


def add_articles(files: Sequence[str | os.PathLike[str]], folder: str | os.PathLike[str],
                 ) -> tuple[list[Path], list[Path]]:
    """Copy ``files`` into ``folder`` under their own names: (copied, already there).

    A file whose name is taken by the same bytes is already there (nothing to do). All files
    are checked before any is copied: if one would replace a different article, or is not a
    ``.txt``/``.md`` file, nothing is copied and :class:`CorpusConflictError` (or
    :class:`ArticleError`) says which. Each copy is atomic, so a watcher never reads half.
    """
    target = Path(folder)
    plan: list[tuple[Path, bytes]] = []
    present: list[Path] = []
    conflicts = []
    for f in files:
        src = Path(f)
        if not src.name.lower().endswith(EXTENSIONS):
            raise ArticleError(str(src), f"not an article file (names end with "
                                         f"{' or '.join(EXTENSIONS)})")
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise ArticleError(str(src), exc.strerror or str(exc)) from None
        dest = target / src.name
        if any(d == dest for d, _ in plan):
            raise CorpusConflictError(f"{src.name} is given twice")
        if dest.exists() or dest.is_symlink():
            if dest.is_file() and _digest(dest.read_bytes()) == _digest(data):
                present.append(dest)
                continue
            conflicts.append(dest)
            continue
        plan.append((dest, data))
    if conflicts:
        names = ", ".join(str(c) for c in conflicts)
        raise CorpusConflictError(f"not replacing a different article of the same name: {names}"
                                  " (rename the new file)")
    target.mkdir(parents=True, exist_ok=True)
    for dest, data in plan:
        write_bytes(dest, data)
    return [d for d, _ in plan], present


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
