"""Score a geoparser against hand-annotated gold: span precision/recall/F1 and distance errors.

Gold is JSONL, one document per line::

    {"id": "...", "text": "...", "toponyms": [{"start": 0, "end": 5, "name": "Kabul",
                                               "lat": 34.5, "lon": 69.2, ...}, ...]}

``lat``/``lon`` may be null (a toponym the annotators found but could not place): such a
toponym counts for recognition, not for distance. Pure functions only; the CLI prints
:func:`format_report`.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mapper.errors import GoldError
from mapper.models import Mention
from mapper.parse.geo import distance_km

#: The usual geoparsing tolerance: 100 miles.
ACCURACY_KM = 161.0


@dataclass(frozen=True)
class GoldToponym:
    """One annotated place name: a span of the document's text and, if known, its point."""

    start: int
    end: int
    name: str
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    type: str = ""
    """The annotators' class (GeoWebNews: "Literal", "Metonymic", "Demonym", ...)."""


@dataclass(frozen=True)
class GoldDoc:
    """One annotated document."""

    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    title: str = ""


@dataclass(frozen=True)
class Mistake:
    """One error, for ``--errors``: a gold toponym missed, a spurious mention, or a misplacement."""

    kind: str
    """``"missed"``, ``"spurious"`` or ``"misplaced"``."""
    doc_id: str
    start: int
    end: int
    surface: str
    """The document's text at the span."""
    gold_name: str = ""
    place_key: str = ""
    place_name: str = ""
    km: float | None = None
    """For misplaced ones: distance between the gold point and the predicted place."""


@dataclass(frozen=True)
class Scores:
    """Recognition over spans and resolution over matched toponyms that have a gold point."""

    docs: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    located: int
    """Matched toponyms with a gold point: the base of the distance scores."""
    accuracy_161: float | None
    """Share of ``located`` within :data:`ACCURACY_KM` (None when ``located`` is 0)."""
    mean_km: float | None
    median_km: float | None
    mistakes: tuple[Mistake, ...] = field(default=(), repr=False)


def read_gold(path: str | os.PathLike[str]) -> list[GoldDoc]:
    """Read a gold JSONL file; raise :class:`~mapper.errors.GoldError` on a malformed line."""
    docs: list[GoldDoc] = []
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, errors wrapped
    except OSError as exc:
        raise GoldError(str(path), 0, exc.strerror or str(exc)) from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                docs.append(_doc(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise GoldError(str(path), lineno, _describe(exc)) from None
    return docs


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc}"
    return str(exc)


def _doc(obj: Mapping) -> GoldDoc:
    text = obj["text"]
    if not isinstance(text, str):
        raise TypeError("'text' is not a string")
    toponyms = []
    for t in obj.get("toponyms", ()):
        start, end = int(t["start"]), int(t["end"])
        if not 0 <= start < end <= len(text):
            raise ValueError(f"toponym {t.get('name')!r} has a bad span {start}:{end}")
        lat, lon = t.get("lat"), t.get("lon")
        has_point = lat is not None and lon is not None
        geonameid = t.get("geonameid")
        toponyms.append(
            GoldToponym(
                start=start,
                end=end,
                name=str(t.get("name", text[start:end])),
                lat=float(lat) if has_point else None,
                lon=float(lon) if has_point else None,
                geonameid=int(geonameid) if geonameid is not None else None,
                type=str(t.get("type", "")),
            )
        )
    toponyms.sort(key=lambda t: (t.start, t.end))
    return GoldDoc(
        id=str(obj["id"]), text=text, toponyms=tuple(toponyms), title=str(obj.get("title", ""))
    )


def match(toponyms: Sequence[GoldToponym], mentions: Sequence[Mention]) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, mention index)`` of overlapping spans.

    Greedy: the pair with the largest overlap first, ties by gold position then mention
    position, so a mention covering two gold names takes the one it overlaps most.
    """
    pairs: list[tuple[int, int, int, int, int]] = []
    by_start = sorted(range(len(mentions)), key=lambda j: mentions[j].start)
    for i, t in enumerate(toponyms):
        for j in by_start:
            m = mentions[j]
            if m.start >= t.end:
                break
            overlap = min(t.end, m.end) - max(t.start, m.start)
            if overlap > 0:
                pairs.append((-overlap, t.start, m.start, i, j))
    pairs.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    out: list[tuple[int, int]] = []
    for _, _, _, i, j in pairs:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            out.append((i, j))
    return sorted(out)


def score(gold: Sequence[GoldDoc], predicted: Mapping[str, Sequence[Mention]]) -> Scores:
    """Score ``predicted`` mentions (by document id) against ``gold``.

    Documents in ``predicted`` but not in ``gold`` are ignored; gold documents without
    predictions count as all missed. Precision, recall and F1 are 0.0 when undefined.
    """
    tp = fp = fn = 0
    errors_km: list[float] = []
    mistakes: list[Mistake] = []
    for doc in gold:
        mentions = list(predicted.get(doc.id, ()))
        pairs = match(doc.toponyms, mentions)
        tp += len(pairs)
        matched_gold = {i for i, _ in pairs}
        matched_pred = {j for _, j in pairs}
        for i, t in enumerate(doc.toponyms):
            if i not in matched_gold:
                fn += 1
                mistakes.append(_mistake("missed", doc, t.start, t.end, gold_name=t.name))
        for j, m in enumerate(mentions):
            if j not in matched_pred:
                fp += 1
                mistakes.append(_mistake("spurious", doc, m.start, m.end, mention=m))
        for i, j in pairs:
            t, m = doc.toponyms[i], mentions[j]
            if t.lat is None or t.lon is None:
                continue
            km = distance_km(t.lat, t.lon, m.place.lat, m.place.lon)
            errors_km.append(km)
            if km > ACCURACY_KM:
                mistakes.append(
                    _mistake("misplaced", doc, t.start, t.end, gold_name=t.name, mention=m, km=km)
                )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    located = len(errors_km)
    return Scores(
        docs=len(gold),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        located=located,
        accuracy_161=sum(km <= ACCURACY_KM for km in errors_km) / located if located else None,
        mean_km=statistics.fmean(errors_km) if located else None,
        median_km=statistics.median(errors_km) if located else None,
        mistakes=tuple(sorted(mistakes, key=lambda x: (x.doc_id, x.start, x.end, x.kind))),
    )


def _mistake(
    kind: str,
    doc: GoldDoc,
    start: int,
    end: int,
    *,
    gold_name: str = "",
    mention: Mention | None = None,
    km: float | None = None,
) -> Mistake:
    return Mistake(
        kind=kind,
        doc_id=doc.id,
        start=start,
        end=end,
        surface=doc.text[start:end],
        gold_name=gold_name,
        place_key=mention.place.key if mention else "",
        place_name=mention.place.name if mention else "",
        km=km,
    )


def format_report(scores: Scores, *, errors: bool = False, limit: int | None = None) -> str:
    """A plain-text report; with ``errors`` the mistakes follow (at most ``limit`` of them)."""

    def opt(value: float | None, fmt: str) -> str:
        return "n/a" if value is None else format(value, fmt)

    lines = [
        f"documents        {scores.docs}",
        f"gold toponyms    {scores.true_positives + scores.false_negatives}",
        f"predicted        {scores.true_positives + scores.false_positives}",
        f"matched          {scores.true_positives}",
        f"precision        {scores.precision:.3f}",
        f"recall           {scores.recall:.3f}",
        f"F1               {scores.f1:.3f}",
        f"located          {scores.located} (matched, with a gold point)",
        f"accuracy@161km   {opt(scores.accuracy_161, '.3f')}",
        f"mean error km    {opt(scores.mean_km, '.1f')}",
        f"median error km  {opt(scores.median_km, '.1f')}",
    ]
    if errors:
        shown = scores.mistakes if limit is None else scores.mistakes[:limit]
        lines.append("")
        lines.append(f"mistakes ({len(scores.mistakes)}, showing {len(shown)}):")
        for x in shown:
            where = f"{x.doc_id}:{x.start}-{x.end}"
            if x.kind == "missed":
                detail = f"gold {x.gold_name!r} not found"
            elif x.kind == "spurious":
                detail = f"found {x.place_name!r} ({x.place_key}), not in gold"
            else:
                detail = (
                    f"gold {x.gold_name!r}, found {x.place_name!r} ({x.place_key}) "
                    f"{x.km:.0f} km away"
                )
            lines.append(f"  {x.kind:<9} {where:<24} {x.surface!r}: {detail}")
    return "\n".join(lines)
