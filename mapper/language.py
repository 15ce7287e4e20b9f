"""Which language an article is in: the recogniser reads capitals differently in German."""

from __future__ import annotations

from functools import lru_cache

#: Characters of an article enough to tell its language.
SAMPLE = 3000
#: Shorter texts are taken as English (too little to tell).
MIN_CHARS = 200


def language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid's model, shipped with the package)."""
    sample = text[:SAMPLE]
    if len(sample.strip()) < MIN_CHARS:
        return "en"
    import py3langid  # its model loads on first use (0.4 s): only when a text needs it

    lang, _ = py3langid.classify(sample)
    # The recogniser needs word frequencies of the language; where wordfreq has none (a
    # misdetected short text, a rare language), English rules are the safer default.
    return lang if lang in _wordfreq_languages() else "en"


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages("best"))
