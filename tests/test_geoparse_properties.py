"""Property tests: the geoparser takes any text without raising, and its spans are exact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapper.parse.geoparse import Geoparser
from mapper.parse.names import fold

PARSER = Geoparser()

# Real place names and the punctuation around them, mixed with arbitrary Unicode, so that
# examples reach the matching code and not only the "no capital letter" path.
NAMES = ["Kabul", "Lashkar Gah", "U.S.", "US", "Herāt", "JAKARTA", "Kandahar's", "Georgia",
         "Qala-e-Naw", "Washington, D.C.", "Mullah Omar", "İstanbul", "ß", "\u0130"]
pieces = st.one_of(
    st.sampled_from(NAMES),
    st.text(max_size=12),
    st.sampled_from([" ", ". ", "\n\n", ", ", " - ", "\u2019s ", "\r\n", "\t", "\x00"]),
)
texts = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_parses_with_exact_spans(text):
    mentions = PARSER.mentions(text)
    last = -1
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.surface
        assert m.start >= last, "mentions are in order and do not overlap"
        last = m.end
        assert 0 < m.score <= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fold_keeps_length(text):
    assert len(fold(text)) == len(text)
