"""Article -> Mentions: recognise place names, then resolve them in the article's context.

Geoparsing is a pure function of the text and the gazetteer, so it can run in any process.
"""

from __future__ import annotations

from mapper.models import Article, Mention, Place
from mapper.parse import spellings
from mapper.parse.common_words import is_common_word
from mapper.parse.gazetteer import Gazetteer, default_gazetteer
from mapper.parse.language import language
from mapper.parse.persons import is_first_name
from mapper.parse.recognize import CALENDAR, find_names
from mapper.parse.resolve import resolve

#: The confidence of a place found by how its name sounds.
VARIANT_SCORE = 0.5


def _is_word(word: str) -> bool:
    return is_common_word(word) or is_first_name(word) or word in CALENDAR

#: A text that reaches every rule of the recogniser and resolver.
WARM_UP_TEXT = ("KABUL (AP) - Mullah Omar's men left Kandahar province for Herat, Reading and "
                "the U.S. embassy in Washington, D.C., said Gen. John Smith of Stanford "
                "University. Afghan officials met in Doha.")


class Geoparser:
    """Finds and resolves the places a text names, with one gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self._places: dict[int, Place] = {}

    def mentions(self, text: str, article_id: str = "") -> list[Mention]:
        """The place mentions of ``text``, in order; ``text[m.start:m.end] == m.surface``."""
        gaz = self.gazetteer
        lang = language(text)
        found = find_names(text, gaz.has_key, lang, gaz.is_demonym_key)
        out = [
            Mention(article_id, r.found.start, r.found.end, text[r.found.start:r.found.end],
                    self._place(r.place_id), r.score, r.demonym)
            for r in resolve(text, found, gaz, lang)
        ]
        country = spellings.focus_country([m.place.country for m in out])
        if country is None or lang != "en":
            return out
        # What the article placed, and names it read as persons' or organisations'.
        taken = [(m.start, m.end) for m in out] + [
            (f.start, f.end) for f in found if f.person or f.person_cue or f.org]
        extra = [Mention(article_id, v.start, v.end, text[v.start:v.end],
                         self._place(v.place_id), VARIANT_SCORE, False)
                 for v in spellings.variants(text, country, taken, gaz, _is_word)]
        return sorted(out + extra, key=lambda m: m.start) if extra else out

    def warm_up(self) -> None:
        """Load what the first article would otherwise pay for: word lists, first names,
        the language model (about a second in all)."""
        from mapper.parse.language import language

        self.mentions(WARM_UP_TEXT)
        language("Die Regierung hat die Gespräche in der Hauptstadt fortgesetzt. " * 5)

    def parse(self, article: Article) -> list[Mention]:
        """The place mentions of an article (furniture is already blanked in its text)."""
        return self.mentions(article.text, article.id)

    def _place(self, place_id: int) -> Place:
        place = self._places.get(place_id)
        if place is None:
            place = self._places[place_id] = self.gazetteer.place(place_id)
        return place
