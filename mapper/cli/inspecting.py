"""The commands that look inside the geoparser: parse, evaluate, lookup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mapper.cli.group import EXIT_SKIPPED, main
from mapper.errors import MapperError


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv"]), default="jsonl",
              show_default=True, help="One JSON object per article, or one line per mention.")
@click.option("--jsonl-input", type=click.File("r", encoding="utf-8"), default=None,
              help='Read {"id", "text"} objects, one per line, instead of files ("-": stdin).')
@click.option("--with-text", is_flag=True,
              help="Add each article's text (the one offsets point into) to its JSON object, "
                   "with its title, date, outlet and URL.")
def parse(paths: tuple[Path, ...], fmt: str, jsonl_input, with_text: bool) -> None:
    """Print the places each article names, with character offsets into its text.

    PATHS are article files or folders of them. Offsets are into the article's text: the
    file's text as read for .txt/.md, the extracted text for a web page or a PDF (print it
    with --with-text; a PDF's mentions say their page).

    Example: mapper parse seeds/001_af361669c30f5528.txt
    """
    from mapper.exports.rows import mention_json
    from mapper.parse.geoparse import Geoparser

    if not paths and jsonl_input is None:
        raise click.UsageError("give article files or folders, or --jsonl-input FILE")
    if with_text and fmt != "jsonl":
        raise click.UsageError("--with-text adds the text to the JSON lines: use --format jsonl")
    try:
        parser = Geoparser()
    except MapperError as exc:
        raise click.ClickException(str(exc)) from exc
    skipped: list[str] = []
    for doc_id, text, article in _documents(paths, jsonl_input, skipped):
        mentions = parser.mentions(text, doc_id)
        if fmt == "jsonl":
            doc = {"id": doc_id, "mentions": [mention_json(m, article) for m in mentions]}
            if with_text:
                doc |= _about(article) | {"text": text}
            click.echo(json.dumps(doc, ensure_ascii=False))
        else:
            for m in mentions:
                click.echo("\t".join(str(x) for x in (doc_id, m.start, m.end, m.surface,
                                                      m.place.name, m.place.kind,
                                                      m.place.country, m.score)))
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _about(article) -> dict:
    """An article's metadata as ``mapper parse --with-text`` prints it."""
    if article is None:
        return {}
    return {"title": article.title, "date": article.date.isoformat() if article.date else None,
            "outlet": article.outlet, "url": article.url}


def _documents(paths: tuple[Path, ...], jsonl_input, skipped: list[str]):
    """``(id, text, article)`` of each document ``mapper parse`` reads: the JSONL input's
    objects (no article), then the article files; what cannot be read is reported on
    stderr and added to ``skipped``."""
    from mapper.read.corpus import read_article, read_corpus

    def skip(message: str) -> None:
        click.echo(f"skipped {message}", err=True)
        skipped.append(message)

    for lineno, line in enumerate(jsonl_input or (), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            doc_id, text = doc["id"], doc["text"]
            if not isinstance(text, str):
                raise TypeError("'text' is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            skip(f"{jsonl_input.name}:{lineno}: not an {{id, text}} object ({exc})")
            continue
        yield doc_id, text, None
    for path in paths:
        if path.is_dir():
            articles, problems = read_corpus(path)
            for problem in problems:
                skip(f"{problem.path}: {problem.message}")
            yield from ((article.path, article.text, article) for article in articles)
            continue
        try:
            article = read_article(path)
        except MapperError as exc:
            skip(str(exc))
            continue
        yield str(path), article.text, article


@main.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", is_flag=True, help="List every missed, spurious and misplaced name.")
@click.option("--limit", type=int, default=None, help="With --errors: at most this many.")
def evaluate(gold: Path, errors: bool, limit: int | None) -> None:
    """Score the geoparser against a gold corpus in JSONL.

    Each line: {"id", "text", "toponyms": [{"start", "end", "name", "lat", "lon"}]}. Prints
    span precision, recall and F1, accuracy@161km, mean and median error, and throughput.

    Example: mapper evaluate ../shared/gold/geowebnews.jsonl --errors --limit 50
    """
    import time

    from mapper.build.runtime import fewer_collections
    from mapper.parse.evaluate import format_report, read_gold, score
    from mapper.parse.geoparse import Geoparser

    try:
        docs = read_gold(gold)
        started = time.process_time()
        parser = Geoparser()
        parser.warm_up()
        startup = time.process_time() - started
    except MapperError as exc:
        raise click.ClickException(str(exc)) from exc
    # CPU time of this process: the per-core rate, whatever else the machine is doing, with
    # the garbage collector set as a build sets it (young objects collected less often: its
    # passes took about a sixth of the time).
    with fewer_collections():
        started = time.process_time()
        predicted = {doc.id: parser.mentions(doc.text, doc.id) for doc in docs}
        seconds = max(time.process_time() - started, 1e-9)
    megabytes = sum(len(doc.text.encode("utf-8")) for doc in docs) / 1e6
    click.echo(format_report(score(docs, predicted), errors=errors, limit=limit))
    click.echo(f"throughput: {megabytes / seconds:.2f} MB/s per core ({megabytes:.2f} MB, "
               f"{len(docs) / seconds:.0f} articles/s, CPU time; start-up {startup:.1f} s, "
               "gazetteer and word lists, not counted)")


@main.command()
@click.argument("name")
@click.option("--limit", default=10, show_default=True, help="How many candidates to show.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per candidate.")
def lookup(name: str, limit: int, as_json: bool) -> None:
    """Print the gazetteer's candidates for NAME, best first.

    Example: mapper lookup Lashkargah
    """
    from mapper.parse.gazetteer import default_gazetteer

    try:
        gaz = default_gazetteer()
    except MapperError as exc:
        raise click.ClickException(str(exc)) from exc
    cands = gaz.candidates(name)[:limit]
    if not cands:
        raise click.ClickException(f"{name!r} is not in the gazetteer")
    for c in cands:
        row = gaz.row(c.place_id)
        if as_json:
            click.echo(json.dumps(row | {"matched_form": c.form, "prior": round(c.prior, 3)},
                                  ensure_ascii=False))
        else:
            click.echo(f"{row['name']}\t{row['kind']}\t{row['country']}\t"
                       f"pop {row['population']}\t{row['lat']:.4f},{row['lon']:.4f}\t"
                       f"{row['key']}\t(as {c.form!r})")
