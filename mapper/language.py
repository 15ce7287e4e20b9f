"""Which language an article is in: the recogniser reads capitals differently in German."""

from __future__ import annotations

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
    return lang
