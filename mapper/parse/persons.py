"""Cues that a capitalised word belongs to a person's name.

First names come from the US Census 1990 lists that the ``names`` package ships (about
5,500 names). A first name before a capitalised word ("Andre Wilson", "Ben Wagner") starts
a person's name even at the start of a sentence, where capitals say nothing else.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

#: How much of the population a name must cover (percent) to count: rarer entries of the
#: census list are mostly words and places ("Paris", "Georgia" are in it too).
MIN_SHARE = 0.005


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common first names, folded to lowercase."""
    folder = importlib.resources.files("names")
    out = set()
    for name in ("dist.male.first", "dist.female.first"):
        for line in (folder / name).read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) >= 2 and float(parts[1]) >= MIN_SHARE:
                out.add(parts[0].lower())
    return frozenset(out)


def is_first_name(word: str) -> bool:
    """True for a common first name ("james", "olivia"); ``word`` is folded."""
    return word in first_names()
