"""How a build runs in its process: seconds per stage for the benchmark, and the cyclic
garbage collector spared its full passes."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Laps:
    """Adds the seconds since the last lap to ``timings[stage]`` (for the benchmark)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Spare the build most of the cyclic garbage collector's full passes.

    A build makes hundreds of thousands of rows (tuples, lists) that live until it ends and
    hold no cycles; each full pass walks all of them and every module's objects again. What
    exists before the build is frozen out of the passes and young objects are collected
    less often; all is put back after.
    """
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0  # a caller that froze objects itself: left as it is
    if ours:
        gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()
