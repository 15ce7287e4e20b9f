"""mapper.build.background: a function run beside the caller hands back what it raised."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import mapper.build.background as background
from mapper.build.background import Job, Receive


def _write(receive: Receive, path: Path, text: str) -> None:
    path.write_text(text)


def _write_received(receive: Receive, path: Path) -> None:
    first, second = receive(), receive()
    path.write_text(f"{first} {second}")


def _receive_once_more(receive: Receive) -> None:
    receive()


def _fail(receive: Receive, message: str) -> None:
    raise OSError(28, message)


class _Unpicklable(Exception):
    def __init__(self, message: str, handle: object) -> None:
        super().__init__(message)
        self.handle = handle

    def __reduce__(self):  # pragma: no cover - called by pickle in the child
        raise TypeError("cannot pickle this")


def _fail_unpicklable(receive: Receive) -> None:
    raise _Unpicklable("no space left", lambda: None)


def _die(receive: Receive) -> None:
    os._exit(3)


@pytest.fixture(params=["fork", "thread"])
def where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "thread":  # a system that cannot fork
        monkeypatch.setattr(background.mp, "get_all_start_methods", lambda: ["spawn"])
    return request.param


def test_the_function_runs_and_its_work_is_done(tmp_path: Path, where: str) -> None:
    job = Job(_write, tmp_path / "out.txt", text="written beside")
    job.result()
    assert (tmp_path / "out.txt").read_text() == "written beside"


def test_what_it_raised_is_raised_by_result(where: str) -> None:
    job = Job(_fail, "disk full")
    with pytest.raises(OSError, match="disk full") as caught:
        job.result()
    assert caught.value.errno == 28


_FORKS = pytest.mark.skipif(sys.platform != "linux", reason="a forked child on Linux only")


@_FORKS
def test_an_exception_that_does_not_pickle_arrives_as_its_traceback() -> None:
    job = Job(_fail_unpicklable)
    with pytest.raises(RuntimeError, match="no space left"):
        job.result()


@_FORKS
def test_a_child_that_dies_without_a_word_is_an_error() -> None:
    job = Job(_die)
    with pytest.raises(RuntimeError, match="exit code 3"):
        job.result()


def test_what_the_caller_sends_later_arrives_in_order(tmp_path: Path, where: str) -> None:
    job = Job(_write_received, tmp_path / "out.txt")
    job.send({"places": 3})
    job.send([1, 2])
    job.result()
    assert (tmp_path / "out.txt").read_text() == "{'places': 3} [1, 2]"


def test_a_caller_that_sends_nothing_more_ends_the_job(where: str) -> None:
    job = Job(_receive_once_more)
    with pytest.raises(EOFError):
        job.result()  # closes the job: the function's receive() raises


@_FORKS
def test_sending_to_a_child_that_failed_raises_its_error() -> None:
    job = Job(_fail, "disk full")
    big = "x" * (1 << 20)  # more than a pipe holds: the send cannot just be buffered
    with pytest.raises(OSError, match="disk full"):
        for _ in range(50):
            job.send(big)
        job.result()


def test_a_big_value_is_sent_without_waiting_for_the_function_to_ask(
        tmp_path: Path, where: str) -> None:
    job = Job(_write_after_a_while, tmp_path / "out.txt")
    job.send("y" * (4 << 20))  # returns before the function calls receive()
    (tmp_path / "sent").write_text("sent")
    job.result()
    assert (tmp_path / "out.txt").read_text() == "sent first"


def _write_after_a_while(receive: Receive, path: Path) -> None:
    sent = path.with_name("sent")
    for _ in range(500):  # the caller's send must not wait for this loop to end
        if sent.exists():
            break
        time.sleep(0.01)
    value = receive()
    path.write_text(("sent first" if sent.exists() else "waited") if len(value) else "")
