"""The recogniser's list of common English words, kept in the cache folder between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import mapper.parse.common_words as recognize


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAPPER_CACHE_DIR", str(tmp_path))
    recognize._common_english.cache_clear()
    yield tmp_path
    recognize._common_english.cache_clear()


def _made() -> frozenset[str]:
    recognize._common_english.cache_clear()
    return recognize._common_english()


def test_the_cached_list_is_the_list_made_from_the_word_lists(
        fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _made()
    files = list(fresh.glob("common-words-*.txt"))
    assert len(files) == 1
    assert "reading" in made and "mobile" in made and "liverpool" not in made
    # Read back from the file, not made again: the word lists are not consulted.
    dictionary = recognize._dictionary_words

    def unused() -> frozenset[str]:
        raise AssertionError("the dictionary was read again")

    monkeypatch.setattr(recognize, "_dictionary_words", unused)
    assert _made() == made
    monkeypatch.setattr(recognize, "_dictionary_words", dictionary)
    expected = frozenset(
        w for w in recognize._dictionary_words()
        if recognize._frequencies("en").get(w, 0.0) >= 10 ** (recognize.COMMON_ZIPF - 9))
    assert made == expected


def test_a_damaged_cache_file_is_made_again(fresh: Path) -> None:
    made = _made()
    path, = fresh.glob("common-words-*.txt")
    path.write_text("12 words\nreading\n", encoding="utf-8")
    assert _made() == made
    assert path.read_text(encoding="utf-8").startswith(f"{len(made)} words\n")


def test_an_unwritable_cache_folder_costs_only_time(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("MAPPER_CACHE_DIR", str(blocked / "cache"))
    recognize._common_english.cache_clear()
    try:
        assert "reading" in recognize._common_english()
    finally:
        recognize._common_english.cache_clear()
