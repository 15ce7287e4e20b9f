"""Rebuild a map whenever the articles of its folder change (watchfiles, debounced)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch

from mapper.read.corpus import EXTENSIONS


def article_filter(folder: str | os.PathLike[str],
                   out_dir: str | os.PathLike[str] | None = None,
                   ) -> Callable[[Change, str], bool]:
    """Changes that can alter the map of ``folder``: article files and deleted folders, not
    hidden files (our own temporary files are hidden) and nothing in the output folder."""
    root = Path(folder).resolve()
    out = Path(out_dir).resolve() if out_dir is not None else None

    def keep(change: Change, path: str) -> bool:
        p = Path(path).resolve()
        if out is not None and (p == out or out in p.parents):
            return False
        try:
            inside = p.relative_to(root).parts
        except ValueError:
            inside = p.parts[-1:]
        if any(part.startswith(".") for part in inside):
            return False
        return p.name.lower().endswith(EXTENSIONS) or change == Change.deleted

    return keep


def watch_folder(folder: str | os.PathLike[str], on_change: Callable[[set[str]], None], *,
                 out_dir: str | os.PathLike[str] | None = None, debounce_ms: int = 500,
                 stop_event: threading.Event | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
    """Call ``on_change(paths)`` after each burst of changes to articles under ``folder``.

    Changes within ``debounce_ms`` of each other make one call (saving a file is often
    several events). ``on_ready()`` is called once the folder is being watched (build the
    map there: a change made while it builds is then seen, not lost). Returns when
    ``stop_event`` is set; Ctrl-C raises KeyboardInterrupt.
    """
    ready = on_ready is None
    for changes in watch(folder, watch_filter=article_filter(folder, out_dir),
                         debounce=debounce_ms, stop_event=stop_event, rust_timeout=200,
                         yield_on_timeout=True):
        if not ready:  # the first wait is over: the watcher is running
            ready = True
            on_ready()
        if changes:
            on_change({path for _, path in changes})
