"""Run one function beside the caller: in a forked process on Linux, else in a thread. A
build writes its exports this way while it draws the map.

Parts of both jobs hold the GIL (JSON of the places, folium's page): in one process they
would take turns, in two they run on two cores. A forked child starts with the caller's
memory as it is (the export lines spooled to open files, the article layout), so nothing is
pickled but what the caller hands over later with :meth:`Job.send` (the places, once they
are counted) and the outcome."""

from __future__ import annotations

import gc
import multiprocessing as mp
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

#: What ``receive()`` gets in a thread once the caller has closed the job.
_CLOSED = object()

#: ``receive()``: the next value the caller sent; EOFError once it closed the job instead.
Receive = Callable[[], Any]


def _drained(inbox: Any) -> Receive:
    """``receive()`` for a child: a thread reads the caller's pipe as things arrive, so
    the caller never waits for the child to ask (a pickled frame is more than a pipe
    holds)."""
    arrived: queue.Queue = queue.Queue()

    def drain() -> None:
        try:
            while True:
                arrived.put((True, inbox.recv()))
        except (EOFError, OSError):
            arrived.put((False, None))

    threading.Thread(target=drain, name="mapper-inbox", daemon=True).start()

    def receive() -> Any:
        more, value = arrived.get()
        if not more:
            arrived.put((False, None))  # and for every later call
            raise EOFError("the caller closed the job")
        return value

    return receive


class Job:
    """``fn(receive, *args, **kwargs)`` running beside the caller; :meth:`result` waits
    for it. ``receive()`` returns, in order, what the caller hands over with :meth:`send`.

    ``fork=False`` runs it in a thread anyway. A forked child shares the caller's memory
    only until one of them writes to it: as the caller goes on (and Python writes to every
    object it touches), the child is left holding a private copy of what the caller's heap
    was, up to all of it.
    """

    def __init__(self, fn: Callable[..., None], *args: Any, fork: bool = True,
                 **kwargs: Any) -> None:
        self._future: Future | None = None
        self._process = None
        # Linux only: macOS can fork, but a forked child of a process that has used some of
        # its system frameworks may crash (why Python spawns there by default).
        if not fork or sys.platform != "linux" or "fork" not in mp.get_all_start_methods():
            self._queue: queue.Queue = queue.Queue()

            def receive_here() -> Any:
                value = self._queue.get()
                if value is _CLOSED:
                    raise EOFError("the caller closed the job")
                return value

            executor = ThreadPoolExecutor(1, thread_name_prefix="mapper-background")
            self._future = executor.submit(fn, receive_here, *args, **kwargs)
            executor.shutdown(wait=False)
            return
        ctx = mp.get_context("fork")
        self._outcome, sender = ctx.Pipe(duplex=False)
        inbox, self._inbox = ctx.Pipe(duplex=False)

        def run() -> None:
            self._inbox.close()  # the child's copy of the caller's end
            # What the caller's heap held stays out of the collector's passes: walking it
            # would copy every page it touches (up to the whole heap) and take its time.
            gc.freeze()
            try:
                fn(_drained(inbox), *args, **kwargs)
                sender.send(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                try:
                    sender.send(exc)
                except Exception:  # an exception that does not pickle
                    sender.send(RuntimeError("".join(traceback.format_exception(exc))))

        self._process = ctx.Process(target=run, name="mapper-background", daemon=True)
        self._process.start()
        sender.close()
        inbox.close()

    def send(self, value: Any) -> None:
        """Hand ``value`` to the function (pickled, to a child process). A child that
        failed meanwhile raises its error here."""
        if self._future is not None:
            self._queue.put(value)
            return
        try:
            self._inbox.send(value)
        except OSError:  # the child is gone (a broken pipe): say why it went
            self.result()
            raise

    def close(self) -> None:
        """Send nothing more: a ``receive()`` still to come raises EOFError."""
        if self._future is not None:
            self._queue.put(_CLOSED)
        else:
            self._inbox.close()

    def result(self) -> None:
        """Wait for the function; raise what it raised."""
        self.close()
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


def forked(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """``fn(*args, **kwargs)`` in a forked process (on Linux; elsewhere in a thread, for the
    reasons :class:`Job` gives): its value, pickled back, or what it raised. To be called
    before the caller starts threads: a child must not start with a lock one of them held."""
    if sys.platform != "linux" or "fork" not in mp.get_all_start_methods():
        executor: ThreadPoolExecutor | ProcessPoolExecutor = ThreadPoolExecutor(
            1, thread_name_prefix="mapper-forked")
    else:
        executor = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
    future = executor.submit(fn, *args, **kwargs)
    executor.shutdown(wait=False)  # the work submitted still runs; the worker then ends
    return future
