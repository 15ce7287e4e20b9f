"""Points where a test stops or kills a build, named by ``MAPPER_TEST_HOOK``.

``MAPPER_TEST_HOOK=POINT:ACTION`` (several joined by ``;``); ``POINT`` is one that the code
passes to :func:`reached` (``planned``, ``journaled``, ``commit:places.gpkg``,
``rename:places.geojson``...) and ``ACTION`` one of:

- ``kill``: SIGKILL this process, as ``kill -9`` would;
- ``killgroup``: SIGKILL its whole process group (its workers and forked children too);
- ``wait=PATH``: create ``PATH.here``, then wait until ``PATH`` exists (60 s at most), so a
  test can start a second build while this one stands at the point.

Unset (always, outside tests) it costs one look-up of the environment per point.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

#: The variable that names the hooks.
VARIABLE = "MAPPER_TEST_HOOK"


def reached(point: str) -> None:
    """Do what ``MAPPER_TEST_HOOK`` says for ``point``, if anything."""
    spec = os.environ.get(VARIABLE)
    if not spec:
        return
    for hook in spec.split(";"):
        where, _, action = hook.rpartition(":")
        if where == point:
            _act(action)


def _act(action: str) -> None:
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "killgroup":
        os.killpg(os.getpgid(0), signal.SIGKILL)
    elif action.startswith("wait="):
        path = Path(action.removeprefix("wait="))
        Path(f"{path}.here").touch()
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
