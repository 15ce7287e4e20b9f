"""Which capitalised words are ordinary words: a dictionary that keeps case (english-words'
web2) and word frequencies (wordfreq), so "Reading" and "Mobile" can be words and
"Liverpool" cannot."""

from __future__ import annotations

import contextlib
import hashlib
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from wordfreq import get_frequency_dict

from mapper import atomic
from mapper.paths import cache_dir

#: Words a common English word needs to reach before it is treated as a word, not a name.
COMMON_ZIPF = 3.0
#: The same without a case-keeping dictionary: only the very frequent words.
OTHER_LANGUAGE_COMMON_ZIPF = 4.5
#: A word this frequent ("nice", "reading", "mobile") is a word even when a sentence
#: capitalises it; a rarer one ("geneva") is the city of that name there.
EVERYDAY_ZIPF = 4.0


def _dictionary_words() -> frozenset[str]:
    """Words Webster's dictionary spells in lowercase (the english-words package's web2).
    Proper nouns it lists are capitalised, so "reading" is here and "liverpool" is not."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False) if w.islower())


@lru_cache(maxsize=1)
def _common_english() -> frozenset[str]:
    """The dictionary's words that news uses often (zipf >= :data:`COMMON_ZIPF`).

    Made from two word lists that are slow to load at every start (before the first
    article), it is kept in :func:`mapper.paths.cache_dir` under the versions of the
    packages it comes from and read back in milliseconds."""
    # Named by what makes it: the two packages' versions and this module's code.
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    name = (f"common-words-english-words-{_version('english-words')}-wordfreq-"
            f"{_version('wordfreq')}-{code}.txt")
    path = cache_dir() / name
    try:
        count, *lines = path.read_text(encoding="utf-8").split("\n")
        if count == f"{len(lines)} words":  # else damaged: made again
            return frozenset(lines)
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    frequencies = _frequencies("en")
    words = frozenset(w for w in _dictionary_words()
                      if frequencies.get(w, 0.0) >= 10 ** (COMMON_ZIPF - 9))
    with contextlib.suppress(OSError):  # a read-only home: made again next time
        atomic.write_text(path, "\n".join([f"{len(words)} words", *sorted(words)]))
    return words


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


@lru_cache(maxsize=200_000)
def is_common_word(word: str, lang: str = "en") -> bool:
    """True for ordinary words that news uses often ("Reading", "Mobile", "Nice"),
    not for names that are frequent because they are famous ("Liverpool", "Washington").

    English has a dictionary that keeps case; other languages go by frequency alone.
    """
    if lang != "en":
        return _frequencies(lang).get(word, 0.0) >= 10 ** (OTHER_LANGUAGE_COMMON_ZIPF - 9)
    return word in _common_english()


@lru_cache(maxsize=200_000)
def is_everyday_word(word: str, lang: str = "en") -> bool:
    """A word of everyday language (zipf >= :data:`EVERYDAY_ZIPF`), ``word`` folded."""
    return _frequencies(lang).get(word, 0.0) >= 10 ** (EVERYDAY_ZIPF - 9)


@lru_cache(maxsize=8)
def _frequencies(lang: str) -> dict[str, float]:
    """wordfreq's word -> frequency table (zipf = log10(frequency) + 9). Looked up directly:
    ``zipf_frequency`` tokenises its argument first, which a word already folded needs not."""
    return get_frequency_dict(lang, "best")
