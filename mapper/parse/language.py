"""Which language an article is in: the recogniser reads capitals differently in German."""

from __future__ import annotations

import re
from functools import lru_cache

#: Characters of an article enough to tell its language.
SAMPLE = 1500
#: Words that make up a tenth of any English text and are rare in the other languages of
#: news: where they are this frequent, the text is English without asking the model.
_ENGLISH = re.compile(r"\b(?:the|and|of|to|is|that|with|for|said|have|has|from|by)\b")
_WORDS = re.compile(r"\w+")
ENGLISH_SHARE = 0.08
#: Shorter texts are taken as English (too little to tell).
MIN_CHARS = 200


def language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid's model, shipped with the package)."""
    sample = text[:SAMPLE]
    if len(sample.strip()) < MIN_CHARS:
        return "en"
    words = len(_WORDS.findall(sample))
    if words and len(_ENGLISH.findall(sample.lower())) / words >= ENGLISH_SHARE:
        return "en"  # the model costs more than this check; most news here is English
    import py3langid  # its model loads on first use: only when a text needs it

    lang, _ = py3langid.classify(sample)
    # The recogniser needs word frequencies of the language; where wordfreq has none (a
    # misdetected short text, a rare language), English rules are the safer default.
    return lang if lang in _wordfreq_languages() else "en"


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages("best"))
