"""What makes a warm build cheap, checked for what it must not change: unchanged files are
not read, a build with nothing new writes nothing, the map drawn from the index is the map
of the articles, and exports spliced from their previous versions equal fresh ones."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from buildkit import (
    ALL,
    ARTICLES,
    assert_same_outputs,
    outputs,
    payload,
    place_names,
    write_articles,
)

import mapper.build.pipeline as pipeline
import mapper.read.scan as scan
from mapper.build import mapview
from mapper.build.mapview import MapView
from mapper.parse.excerpts import excerpts_for
from mapper.parse.gazetteer import Gazetteer
from mapper.parse.geoparse import Geoparser
from mapper.read.corpus import read_corpus

pytestmark = pytest.mark.usefixtures("stable_geodata")

#: Articles naming the same places on different dates (and one undated), so that a cap of
#: two excerpts per place has to choose by date.
DATED = {
    f"k{i}.txt": (f"date 2024-0{1 + i % 9}-1{i % 10}\n" if i != 3 else "")
    + f"Report {i} from Kabul\n\nFighting near Kabul and Kandahar, Afghanistan, went on "
    f"for a {['first', 'second', 'third', 'fourth', 'fifth', 'sixth'][i]} day. Officials "
    "in Kabul said more talks would follow in Doha.\n"
    for i in range(6)
}


def _write(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _cold_payload(corpus: Path, out: Path, gazetteer: Gazetteer, cap: int) -> dict:
    """The payload of a cold build of ``corpus`` into the new folder ``out``."""
    pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=cap)
    return payload(out / "index.html")


def _excerpts_of(corpus: Path, gazetteer: Gazetteer) -> set[tuple[str, str, str]]:
    """(article id, place name, sentence) of every excerpt of the articles, made from them
    directly (mapper.parse), without the article index."""
    parser = Geoparser(gazetteer)
    found = set()
    for a in read_corpus(corpus)[0]:
        names = {m.place.key: m.place.name for m in parser.parse(a)}
        found |= {(a.id, names[e.place_key], e.text) for e in excerpts_for(a, parser.parse(a))}
    return found


def _shown(got: dict) -> set[tuple[str, str, str]]:
    """(article id, place name, text) of every excerpt a payload shows."""
    shown = set()
    for place, art, start, length, _ in got["excerpts"]:
        text = got["articles"][art][3]  # BMP-only articles: UTF-16 offsets are indexes
        shown.add((got["articles"][art][0], got["places"][place][1],
                   text[start:start + length]))
    return shown


@pytest.mark.parametrize("budget", [None, 300], ids=["whole texts", "excerpts only"])
def test_map_drawn_from_the_index_is_the_map_of_the_articles(
        tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch,
        budget: int | None) -> None:
    if budget is not None:  # the corpus is over the text budget: only passages embedded
        monkeypatch.setattr(mapview, "TEXT_BUDGET", budget)
    corpus = _write(tmp_path / "corpus", DATED)
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=2)
    got = payload(out / "index.html")
    assert _shown(got) <= _excerpts_of(corpus, gazetteer)
    assert got["partial"] is (budget is not None)
    kabul = next(p for p in got["places"] if p[1] == "Kabul")
    fields = got["fields"]["places"]
    # Six articles name Kabul, each in its title and body: the two excerpts shown are the
    # newest article's (June), the other ten are counted as left out.
    assert kabul[fields.index("n_articles")] == 6 and kabul[fields.index("omitted")] == 10
    at = got["places"].index(kabul)
    shown = {got["articles"][e[1]][0] for e in got["excerpts"] if e[0] == at}
    assert shown == {"k5.txt"}


def test_too_many_excerpts_in_all_lower_the_cap_the_same_way(
        tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapview, "EXCERPT_BUDGET", 6)
    corpus = _write(tmp_path / "corpus", DATED)
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=2)
    got = payload(out / "index.html")
    assert _shown(got) <= _excerpts_of(corpus, gazetteer)
    # Kabul, Kandahar, Afghanistan and Doha: at most 6 excerpts in all means one each.
    assert got["maxExcerpts"] == 1 and len(got["excerpts"]) <= 6


def test_unchanged_files_are_not_read_again(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "SETTLED", 0.0)  # every file counts as settled at once
    corpus = write_articles(tmp_path / "corpus")
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    hashed: list[str] = []
    real = scan._hash

    def counting(path: str, max_bytes: int) -> str | None:
        hashed.append(os.path.basename(path))
        return real(path, max_bytes)

    monkeypatch.setattr(scan, "_hash", counting)
    result = pipeline.build(corpus, out)
    assert hashed == [] and result.unchanged == len(ARTICLES)

    # Same size, same modification time, other bytes: the change time gives it away.
    time.sleep(0.05)
    lima = corpus / "lima.txt"
    st = lima.stat()
    lima.write_text(ARTICLES["lima.txt"].replace("Lima", "Pune").replace("Peru", "Indi"),
                    encoding="utf-8")
    os.utime(lima, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert lima.stat().st_size == st.st_size and lima.stat().st_mtime_ns == st.st_mtime_ns
    result = pipeline.build(corpus, out)
    assert hashed == ["lima.txt"] and result.changed == ("lima.txt",)
    assert "Pune" in place_names(out) and "Lima" not in place_names(out)


def test_a_file_just_written_is_hashed_until_it_settles(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    hashed: list[str] = []
    real = scan._hash
    monkeypatch.setattr(scan, "_hash",
                        lambda p, n: hashed.append(os.path.basename(p)) or real(p, n))
    pipeline.build(corpus, out)  # written less than SETTLED seconds ago: its stat is not trusted
    assert hashed == ["oslo.txt"]


def test_a_build_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)

    def times() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir()
                if not p.name.startswith("mapper-index")}

    first = times()
    pipeline.build(corpus, out)
    assert times() == first
    # Another title draws the map again, and only the map.
    pipeline.build(corpus, out, title="Floods and protests")
    second = times()
    assert {n for n in first if first[n] != second[n]} == {"index.html", "places.html"}
    assert payload(out / "index.html")["title"] == "Floods and protests"
    # A map deleted by hand is drawn again.
    (out / "index.html").unlink()
    pipeline.build(corpus, out, title="Floods and protests")
    assert payload(out / "index.html")["title"] == "Floods and protests"


def test_exports_written_again_from_the_index_equal_a_cold_build(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus")
    out, cold = tmp_path / "out", tmp_path / "cold"
    pipeline.build(corpus, out, exports=ALL)
    pipeline.build(corpus, cold, exports=ALL)
    # Edited by hand: the lines of every article are made again from the index.
    with (out / "mentions.geojson").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    (out / "mentions.csv").unlink()
    result = pipeline.build(corpus, out, exports=ALL)
    assert result.parsed == 0
    assert outputs(out) == outputs(cold)


@pytest.mark.parametrize("budget", [None, 300], ids=["whole texts", "excerpts only"])
def test_map_after_changes_and_a_new_cap_is_the_map_of_the_articles(
        tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch,
        budget: int | None) -> None:
    if budget is not None:  # each article embeds only its shown passages: they change too
        monkeypatch.setattr(mapview, "TEXT_BUDGET", budget)
    corpus = _write(tmp_path / "corpus", {n: t for n, t in DATED.items() if n != "k5.txt"})
    out = tmp_path / "out"
    pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=2)
    # The newest article arrives and the oldest leaves: Kabul's shown excerpts change.
    _write(corpus, {"k5.txt": DATED["k5.txt"]})
    (corpus / "k0.txt").unlink()
    result = pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=2)
    assert result.parsed == 1 and result.removed == ("k0.txt",)
    got = payload(out / "index.html")
    assert got == _cold_payload(corpus, tmp_path / "cold2", gazetteer, 2)
    assert got["partial"] is (budget is not None)
    # Another cap: every place's excerpts are picked again.
    pipeline.build(corpus, out, gazetteer=gazetteer, max_excerpts=3)
    assert payload(out / "index.html") == _cold_payload(corpus, tmp_path / "cold3", gazetteer, 3)


def test_a_smaller_size_limit_drops_articles_even_when_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "SETTLED", 0.0)
    corpus = write_articles(tmp_path / "corpus")
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    biggest = max(corpus.iterdir(), key=lambda p: p.stat().st_size)
    limit = biggest.stat().st_size - 1
    result = pipeline.build(corpus, out, max_bytes=limit)
    assert result.removed == (biggest.name,)
    assert [Path(p.path).name for p in result.problems] == [biggest.name]
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, max_bytes=limit)
    assert_same_outputs(out, cold)


def test_a_build_stopped_after_refreshing_the_map_tables_is_not_trusted_later(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _write(tmp_path / "corpus", {n: t for n, t in DATED.items() if n != "k5.txt"})
    # A place that the article added below does not name: only a full refresh fixes it.
    _write(corpus, {"herat.txt": "date 2024-02-02\nHerat\n\nRain fell on Herat. Herat's "
                    "markets closed early.\n\nIn Herat the roads flooded.\n"})
    out = tmp_path / "out"
    pipeline.build(corpus, out, max_excerpts=3)

    real = MapView.refresh

    def stopped(self: MapView, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)
        raise KeyboardInterrupt  # as if Ctrl-C came the moment the refresh committed

    # Another cap, stopped once the places and shown excerpts were refreshed for it.
    with monkeypatch.context() as m:
        m.setattr(MapView, "refresh", stopped)
        with pytest.raises(KeyboardInterrupt):
            pipeline.build(corpus, out, max_excerpts=1, title="other")
    pipeline.build(corpus, out, max_excerpts=3)
    _write(corpus, {"k5.txt": DATED["k5.txt"]})
    pipeline.build(corpus, out, max_excerpts=3)
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold, max_excerpts=3)
    assert_same_outputs(out, cold)


def test_what_a_killed_build_left_beside_the_outputs_is_cleared(tmp_path: Path) -> None:
    corpus = write_articles(tmp_path / "corpus", ["oslo.txt"])
    out = tmp_path / "out"
    out.mkdir()
    old, new = out / ".places.abc123.gpkg", out / ".mentions.csv.xyz.tmp"
    for p in (old, new):
        p.write_bytes(b"half a file")
    (out / ".mapper-q1w2e3").mkdir()
    long_ago = time.time() - 7200
    for p in (old, out / ".mapper-q1w2e3"):
        os.utime(p, (long_ago, long_ago))
    pipeline.build(corpus, out)
    # Old and fresh leftovers go: a build holds the folder's lock, no other is running.
    assert not old.exists() and not (out / ".mapper-q1w2e3").exists()
    assert not new.exists()


def test_contents_digest_follows_the_articles_not_their_history(tmp_path: Path) -> None:
    """The index's contents digest and its count of mentions, kept as articles come and go:
    an article added then removed gives back the digest before it, and a folder built cold
    has the digest and the count of one built bit by bit."""
    from mapper.build.index import INDEX_NAME, ArticleIndex

    def digest(out: Path) -> str:
        with ArticleIndex.open_built(out / INDEX_NAME) as index:
            return index.contents_digest()

    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "oslo.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    first = digest(out)
    write_articles(corpus, ["lima.txt"])
    warm = pipeline.build(corpus, out)
    grown = digest(out)
    cold = tmp_path / "cold"
    assert warm.mentions == pipeline.build(corpus, cold).mentions  # counted as they came
    assert grown != first and grown == digest(cold)
    (corpus / "lima.txt").write_text("Changed: floods in Lima, Peru.\n", encoding="utf-8")
    pipeline.build(corpus, out)
    assert digest(out) not in (first, grown)
    (corpus / "lima.txt").unlink()
    assert pipeline.build(corpus, out).mentions == pipeline.build(
        corpus, tmp_path / "again").mentions
    assert digest(out) == first


def _noting_walk(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - walk's own signature
    """:func:`mapper.read.scan.walk`, noting the process it ran in (a module's function:
    it is pickled to the process that runs it)."""
    with open(os.environ["MAPPER_TEST_WALKERS"], "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    return scan.walk(*args, **kwargs)


def test_a_large_folder_walked_in_another_process_gives_the_same_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every index counts as large: the folder is walked in a forked process.
    monkeypatch.setattr(pipeline, "WALK_APART_INDEX_BYTES", 0)
    walkers = tmp_path / "walkers.txt"
    monkeypatch.setenv("MAPPER_TEST_WALKERS", str(walkers))
    monkeypatch.setattr(pipeline, "walk", _noting_walk)
    corpus = write_articles(tmp_path / "corpus", ["dhaka.txt", "lima.txt", "oslo.txt"])
    out = tmp_path / "out"
    pipeline.build(corpus, out)
    (corpus / "oslo.txt").unlink()
    (corpus / "lima.txt").write_text(ARTICLES["lima.txt"] + "\nMore from Cusco.\n",
                                     encoding="utf-8")
    write_articles(corpus, ["nairobi.txt"])
    (corpus / "notes.docx").write_bytes(b"not an article")
    result = pipeline.build(corpus, out)
    pids = walkers.read_text(encoding="utf-8").split()
    # The first build (no index yet) walked here, the second in a child.
    assert len(pids) == 1 and pids[0] != str(os.getpid())
    assert result.new == ("nairobi.txt",) and result.changed == ("lima.txt",)
    assert result.removed == ("oslo.txt",)
    assert dict(result.ignored) == {".docx": 1}
    monkeypatch.setattr(pipeline, "WALK_APART_INDEX_BYTES", 2**62)
    cold = tmp_path / "cold"
    pipeline.build(corpus, cold)
    assert_same_outputs(out, cold)
