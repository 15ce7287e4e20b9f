"""The network, for ``mapper add URL`` and ``mapper add --feed URL`` only: nothing else in
mapper fetches anything (a build reads the corpus folder, never the web).

Polite by construction: every request names mapper and its version in its User-Agent, has
a timeout, waits so that one host gets at most one request a second, and asks the site's
``robots.txt`` (read with :mod:`urllib.robotparser`, once per site) before fetching a page.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from mapper.errors import FetchError
from mapper.read.corpus import DEFAULT_MAX_BYTES

try:
    _VERSION = version("mapper")
except PackageNotFoundError:  # run from a source tree that was never installed
    _VERSION = "0"
#: What each request says it is.
USER_AGENT = f"mapper/{_VERSION} (news articles to a map; fetches only on 'mapper add')"
#: Seconds to wait for a connection or for data before giving up.
TIMEOUT = 20.0
#: Seconds between two requests to the same host.
INTERVAL = 1.0


@dataclass(frozen=True)
class Fetched:
    """What a server answered: the final URL (after redirects), the body, its media type
    (lower case, no parameters) and the charset the header declared ('' if none)."""

    url: str
    data: bytes
    media_type: str
    charset: str = ""


def is_url(value: str) -> bool:
    """Whether ``value`` is an http(s) address (else it is a file name)."""
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class Fetcher:
    """Fetches pages politely (see the module's doc). One per command: it remembers when
    it last asked each host and what each site's robots.txt says."""

    def __init__(self, *, user_agent: str = USER_AGENT, timeout: float = TIMEOUT,
                 interval: float = INTERVAL, max_bytes: int = DEFAULT_MAX_BYTES,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.interval = interval
        self.max_bytes = max_bytes
        self._clock, self._sleep = clock, sleep
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}
        self._opener = urllib.request.build_opener()

    def get(self, url: str) -> Fetched:
        """Fetch ``url`` if the site's robots.txt lets mapper; raise FetchError if not, or
        if the server fails, times out or sends more than ``max_bytes``."""
        if not is_url(url):
            raise FetchError(f"{url}: not an http(s) address")
        if not self._robots_for(url).can_fetch(self.user_agent, url):
            raise FetchError(f"{url}: the site's robots.txt does not allow mapper to fetch it")
        return self._request(url)

    def _robots_for(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        site = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))
        robots = self._robots.get(site)
        if robots is None:
            robots = self._robots[site] = RobotFileParser(site + "/robots.txt")
            try:
                answer = self._request(site + "/robots.txt", robots=True)
                robots.parse(answer.data.decode("utf-8", "replace").splitlines())
            except _Status as status:
                # As urllib.robotparser reads them: 401/403 forbid everything, another
                # 4xx (no robots.txt) allows everything; a server error forbids for now.
                if status.code in (401, 403) or status.code >= 500:
                    robots.disallow_all = True
                else:
                    robots.allow_all = True
        return robots

    def _request(self, url: str, *, robots: bool = False) -> Fetched:
        self._wait(urlsplit(url).netloc.lower())
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent,
            "Accept": "text/plain" if robots else
            "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
            "application/xml;q=0.9,application/pdf;q=0.8,*/*;q=0.5"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data = response.read(self.max_bytes + 1)
                final = response.geturl()
                media = response.headers.get_content_type().lower()
                charset = (response.headers.get_content_charset() or "").lower()
        except urllib.error.HTTPError as exc:
            if robots:
                raise _Status(exc.code) from None
            raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}"
                             ) from None
        except TimeoutError:
            raise FetchError(f"{url}: no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise FetchError(f"{url}: no answer within {self.timeout:g} s") from None
            raise FetchError(f"{url}: cannot connect ({exc.reason})") from None
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from None
        finally:
            self._last[urlsplit(url).netloc.lower()] = self._clock()
        if len(data) > self.max_bytes:
            raise FetchError(f"{url}: more than {self.max_bytes:,} bytes; raise --max-bytes "
                             "to fetch it")
        return Fetched(final, data, media, charset)

    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            pause = last + self.interval - self._clock()
            if pause > 0:
                self._sleep(pause)


class _Status(Exception):
    """An HTTP error status while reading robots.txt."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
