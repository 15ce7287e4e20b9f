"""Run one function beside the caller: in a forked process on Linux, else in a thread. A
build writes its exports this way while it draws the map.

Both jobs are a second of work each at 10,000 articles, and parts of each hold the GIL
(JSON of the places, folium's page): in one process they took turns, in two they run on
two cores. A forked child starts with the caller's memory as it is (the places, the export
lines spooled to open files), so nothing is pickled but the outcome.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Job:
    """A function running beside the caller; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        self._future: Future | None = None
        self._process = None
        # Linux only: macOS can fork, but a forked child of a process that has used some of
        # its system frameworks may crash (why Python spawns there by default).
        if sys.platform != "linux" or "fork" not in mp.get_all_start_methods():
            executor = ThreadPoolExecutor(1, thread_name_prefix="mapper-background")
            self._future = executor.submit(fn, *args, **kwargs)
            executor.shutdown(wait=False)
            return
        ctx = mp.get_context("fork")
        self._outcome, sender = ctx.Pipe(duplex=False)

        def run() -> None:
            try:
                fn(*args, **kwargs)
                sender.send(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                try:
                    sender.send(exc)
                except Exception:  # an exception that does not pickle
                    sender.send(RuntimeError("".join(traceback.format_exception(exc))))

        self._process = ctx.Process(target=run, name="mapper-background", daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> None:
        """Wait for the function; raise what it raised."""
        if self._future is not None:
            self._future.result()
            return
        try:
            outcome = self._outcome.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            outcome = None
        finally:
            self._outcome.close()
            self._process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        if self._process.exitcode != 0:
            raise RuntimeError(f"the background job ended with exit code "
                               f"{self._process.exitcode}")
