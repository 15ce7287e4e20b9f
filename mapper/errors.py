"""mapper's exceptions: one small hierarchy, each class also a built-in callers understand."""

from __future__ import annotations


class MapperError(Exception):
    """Base of every error mapper raises on purpose."""


class ArticleError(MapperError, ValueError):
    """An article file that cannot be read as text. Carries the path and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple:
        # Pickled whole (it crosses from a worker process): by default only the message.
        return type(self), (self.path, self.reason)


class GazetteerError(MapperError, OSError):
    """The embedded gazetteer is missing, corrupt, or of another version."""


class GoldError(MapperError, ValueError):
    """A gold (evaluation) file that cannot be read. Carries the path and line number."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}, line {line}: {reason}" if line else f"{path}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class ArticleIndexError(MapperError, OSError):
    """The article index beside a map cannot be created, read or written."""


class IndexCorruptError(ArticleIndexError):
    """The article index's file is damaged (SQLite found a corrupt page)."""


class CorpusConflictError(MapperError, FileExistsError):
    """``mapper add`` would overwrite a different article of the same name."""


class NoArticlesError(MapperError, ValueError):
    """A folder with nothing readable to map: no article file, or none that could be read.
    Carries what was skipped (``problems``) and ignored (``ignored``, count by ending)."""

    def __init__(self, message: str, problems: tuple = (), ignored: dict | None = None
                 ) -> None:
        super().__init__(message)
        self.problems = problems
        self.ignored = ignored or {}


class FetchError(MapperError, OSError):
    """A page or feed that ``mapper add`` could not fetch: refused by robots.txt, an HTTP
    error, a timeout, not HTML or a feed."""


class OnlineGeocoderError(MapperError, ValueError):
    """An online geocoder that cannot be set up: unknown service, bad option."""


class MapperWarning(UserWarning):
    """Something the user should know, that did not stop the work: an index rebuilt,
    an online lookup that failed (its name is left unresolved)."""


class BuildLockedError(MapperError, BlockingIOError):
    """Another build is writing the same output folder (and the caller would not wait)."""


class OutputError(MapperError, OSError):
    """The output folder cannot be used or written: it is a file, read-only, full, inside
    the articles folder, or holds a symbolic link where an output goes."""
