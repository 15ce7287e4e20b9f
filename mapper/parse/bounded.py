"""A geopy adapter whose requests end: a total deadline per request and a cap on the size of
an answer.

geopy's ``timeout`` bounds each read of the socket, so a server that sends its answer a byte
at a time, each within the timeout, holds a request forever; and an answer is read whole,
however large. :class:`BoundedAdapter` is geopy's :class:`~geopy.adapters.RequestsAdapter`
reading the body as a stream: it stops at ``max_bytes``, and the caller stops waiting at the
deadline (the request runs in a thread of its own, which ends at its next read).
"""

from __future__ import annotations

import json
import queue
import threading
import time

from geopy.adapters import RequestsAdapter
from geopy.exc import GeocoderParseError, GeocoderServiceError, GeocoderTimedOut

#: Seconds a request may take, from connecting to the last byte of its answer.
DEFAULT_DEADLINE = 10.0
#: The largest answer read (a geocoder's answer to one name is a few kilobytes).
DEFAULT_MAX_BYTES = 1_000_000
#: Bytes read at a time.
_CHUNK = 16_384


class BoundedAdapter(RequestsAdapter):
    """geopy's requests adapter with a total ``deadline`` (seconds) per request and a cap
    of ``max_bytes`` on an answer; either exceeded is a geopy error (the name stays
    unresolved, nothing is cached)."""

    def __init__(self, *, proxies, ssl_context, deadline: float = DEFAULT_DEADLINE,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.session.stream = True  # the body is read by _read, bounded
        self.deadline = deadline
        self.max_bytes = max_bytes

    def get_text(self, url, *, timeout, headers) -> str:
        return self._within_deadline(url, timeout, headers)

    def get_json(self, url, *, timeout, headers):
        text = self._within_deadline(url, timeout, headers)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise GeocoderParseError(f"the answer is not JSON: {text[:80]!r}") from exc

    def _within_deadline(self, url: str, timeout: float, headers: dict) -> str:
        """The answer's text, or a geopy error once ``deadline`` seconds have passed."""
        ends = time.monotonic() + self.deadline
        box: queue.Queue = queue.Queue(1)

        def fetch() -> None:
            try:
                box.put((True, self._read(url, min(timeout or self.deadline, self.deadline),
                                          headers, ends)))
            except BaseException as exc:  # noqa: BLE001 - raised by the caller
                box.put((False, exc))

        threading.Thread(target=fetch, name="mapper-geocode", daemon=True).start()
        try:
            ok, value = box.get(timeout=self.deadline)
        except queue.Empty:
            raise GeocoderTimedOut(f"no whole answer within the deadline of "
                                   f"{self.deadline:g} s") from None
        if not ok:
            raise value
        return value

    def _read(self, url: str, timeout: float, headers: dict, ends: float) -> str:
        resp = self._request(url, timeout=timeout, headers=headers)
        try:
            size = resp.headers.get("Content-Length")
            if size and size.isdigit() and int(size) > self.max_bytes:
                raise self._too_large()
            body = bytearray()
            for chunk in resp.iter_content(_CHUNK):
                body += chunk
                if len(body) > self.max_bytes:
                    raise self._too_large()
                if time.monotonic() > ends:  # the caller has given up: stop reading
                    raise GeocoderTimedOut("deadline passed")
        finally:
            resp.close()
        return body.decode(resp.encoding or "utf-8", errors="replace")

    def _too_large(self) -> GeocoderServiceError:
        return GeocoderServiceError(f"the answer is over {self.max_bytes:,} bytes")
