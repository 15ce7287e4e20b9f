"""A file's bytes -> text: the encodings news files come in, and blanking spans of text
without moving any offset.

Encodings
    UTF-8 (with or without BOM), UTF-16/32 with BOM, BOM-less UTF-16 of mostly ASCII text,
    then whatever charset-normalizer detects (Windows-1252, Latin-1, ...). The bytes decide:
    a web page's own charset declaration is often wrong (a page saved as UTF-8 that still
    says ISO-8859-1), so it is not consulted.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from mapper.errors import ArticleError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never occur in text files (tab, newlines and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes, path: str = "<bytes>") -> str:
    """Decode a file's bytes to text without a BOM; raise :class:`ArticleError` if binary."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[len(codecs.BOM_UTF8) :].decode("utf-8"), path)
        except UnicodeDecodeError as exc:
            raise ArticleError(path, f"has a UTF-8 BOM but is not UTF-8 ({exc.reason})") from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), path)  # the codec drops the BOM
            except UnicodeDecodeError as exc:
                raise ArticleError(path, f"invalid {codec.upper()} text ({exc.reason})") from None
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is None:
            raise ArticleError(path, "binary file (contains NUL bytes), not text")
        return _checked(utf16, path)
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # slow import: only for non-UTF-8 files

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise ArticleError(path, "not text in any encoding recognised (binary file?)")
    # On short texts the detector ranks look-alike code pages (mac_latin2, cp1250) above
    # Windows-1252, by far the commonest legacy encoding of news text: among the guesses
    # that fit equally well, prefer it (and Latin-1, its subset) when they fit at all.
    floor = min(m.chaos for m in results)
    for match in results:
        fits = match.could_be_from_charset
        if match.chaos <= floor + 0.01 and ("cp1252" in fits or "latin_1" in fits):
            for codec in ("cp1252", "latin-1"):
                try:
                    return _checked(data.decode(codec), path)
                except UnicodeDecodeError:
                    continue
    return _checked(str(best), path)


def blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span's characters replaced by spaces, line breaks kept."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        parts.append(text[pos:start])
        parts.append(re.sub(r"[^\r\n]", " ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    out = "".join(parts)
    assert len(out) == len(text)
    return out


def _bomless_utf16(data: bytes) -> str | None:
    """Decode BOM-less UTF-16 when one byte of each pair is almost always NUL (ASCII text)."""
    if len(data) % 2 or len(data) < 4:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) == 0:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _checked(text: str, path: str) -> str:
    if "\x00" in text or len(_CONTROL.findall(text[:65536])) > 8:
        raise ArticleError(path, "binary file (control characters), not text")
    return text
