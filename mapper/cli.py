"""The ``mapper`` command: a thin click layer over the library.

Library errors become one-line messages and exit codes here, and nowhere below.
Exit codes: 0 done; 1 failed (nothing written); 2 bad usage; 3 done, but some articles were
skipped (each is reported on stderr by name); 4 another build was writing the output folder
and ``--no-wait`` was given.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from mapper.errors import BuildLockedError, MapperError
from mapper.read.corpus import DEFAULT_MAX_BYTES

EXIT_SKIPPED = 3
EXIT_BUSY = 4


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mapper")
def main() -> None:
    """mapper: put the places that news articles name on an interactive map."""


def _build_options(command):
    """The options of every command that builds a map (build, add, watch), handed to the
    command as one :class:`_BuildArgs` named ``args``."""
    options = [
        click.option("--out", "out_dir", default="maps", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder for index.html, the exports and the article index."),
        click.option("--title", default="mapper", show_default=True,
                     help="Title of the map page."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Articles parsed at once (processes)."),
        click.option("--max-excerpts", type=click.IntRange(min=0), default=20,
                     show_default=True,
                     help="Excerpts per place embedded in the map, newest articles first "
                          "(0: all); the exports always have every mention."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
                     show_default=True,
                     help="Articles larger than this are reported and skipped, unread."),
        click.option("--export", "exports", default="", metavar="FORMATS",
                     callback=_export_files,
                     help="Also write these exports (comma-separated): csv (mentions.csv), "
                          "geojson (mentions.geojson), all. places.geojson and places.gpkg "
                          "are always written."),
        click.option("--quiet", "-q", is_flag=True,
                     help="No progress bar and no summary; problems and warnings only."),
        click.option("--geocoder", default=None, metavar="SERVICE",
                     help="Resolve names the gazetteer lacks online with this geopy service "
                          "(e.g. nominatim). Answers are cached: each name is asked once."),
        click.option("--geocoder-option", "geocoder_options", multiple=True,
                     metavar="KEY=VALUE",
                     help="Option of the geocoder (repeatable), e.g. domain=host:port, "
                          "scheme=http, user_agent=..., min_delay_seconds=1; limits: "
                          "deadline=10 (seconds per request, all of it), "
                          "max_answer_bytes=1000000, budget=600 (seconds online per build), "
                          "not_found_days=30 (then a name not found is asked again)."),
        click.option("--follow-links", is_flag=True,
                     help="Follow symbolic links that lead outside the articles folder "
                          "(by default each is reported and skipped: a shared map must not "
                          "pull in files from elsewhere)."),
        click.option("--no-wait", "no_wait", is_flag=True,
                     help="If another build is writing the --out folder, fail at once "
                          f"(exit code {EXIT_BUSY}) instead of waiting for it."),
    ]

    @functools.wraps(command)
    def with_args(**kwargs):
        fields = {f.name for f in dataclasses.fields(_BuildArgs)}
        args = _BuildArgs(**{k: kwargs.pop(k) for k in list(kwargs) if k in fields})
        return command(args=args, **kwargs)

    for option in reversed(options):
        with_args = option(with_args)
    return with_args


def _export_files(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """``--export csv,geojson`` as the export files it asks for."""
    from mapper.exports import FORMATS

    names = []
    for fmt in filter(None, (v.strip().lower() for v in value.split(","))):
        if fmt == "all":
            names += [FORMATS["csv"], FORMATS["geojson"]]
        elif fmt in ("csv", "geojson"):
            names.append(FORMATS[fmt])
        else:
            raise click.BadParameter(f"{fmt!r} is not one of csv, geojson, all")
    return tuple(names)


@dataclass(frozen=True)
class _BuildArgs:
    """The build options of the command line, as given."""

    out_dir: Path
    title: str
    jobs: int
    max_excerpts: int
    max_bytes: int
    exports: tuple[str, ...]
    quiet: bool
    geocoder: str | None
    geocoder_options: tuple[str, ...]
    no_wait: bool
    follow_links: bool

    def options(self, scheduler: str | None = None):
        """The BuildOptions they ask for, with a new online geocoder if one is asked for
        (each build closes its own)."""
        from mapper.build import BuildOptions

        online = None
        if self.geocoder:
            from mapper.parse.online import make_resolver

            try:
                online = make_resolver(self.geocoder, self.geocoder_options)
            except MapperError as exc:
                raise click.ClickException(str(exc)) from exc
        return BuildOptions(title=self.title, jobs=self.jobs, max_excerpts=self.max_excerpts,
                            max_bytes=self.max_bytes, exports=self.exports,
                            scheduler=scheduler, online=online, wait=not self.no_wait,
                            follow_links=self.follow_links,
                            waiting=lambda message: click.echo(f"{message}...", err=True))


def _run_build(articles_dir: Path, out_dir: Path, options, *, quiet: bool):
    """One incremental build with a progress bar, warnings and a summary; raises
    ClickException on a library error. Returns the BuildResult."""
    import dataclasses
    import warnings

    from mapper.build import build as run_build
    from mapper.read.corpus import ignored_summary

    if not articles_dir.is_dir():
        raise click.ClickException(f"{articles_dir}: no such folder of articles")
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="article", desc="parsing", file=sys.stderr,
                       disable=quiet or not sys.stderr.isatty(), leave=False)
        bar.update(done - bar.n)

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run_build(articles_dir, out_dir,
                               dataclasses.replace(options, progress=progress))
    except BuildLockedError as exc:
        busy = click.ClickException(str(exc))
        busy.exit_code = EXIT_BUSY
        raise busy from exc
    except MapperError as exc:
        for problem in getattr(exc, "problems", ()):
            click.echo(f"skipped {problem.path}: {problem.message}", err=True)
        raise click.ClickException(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
        if options.online is not None:
            options.online.close()
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    for problem in result.problems:
        click.echo(f"skipped {problem.path}: {problem.message}", err=True)
    if result.ignored:
        click.echo(ignored_summary(dict(result.ignored)), err=True)
    if not quiet:
        click.echo(
            f"mapper: {_plural(result.articles, 'article')}, {_plural(result.places, 'place')}, "
            f"{_plural(result.mentions, 'mention')} -> {result.map_path}"
            + (f" ({len(result.problems)} skipped)" if result.problems else "")
        )
        click.echo(_changes(result))
    return result


def _changes(result) -> str:
    """One line: what this build changed."""
    def names(items: tuple[str, ...]) -> str:
        shown = ", ".join(items[:5]) + (f", ... ({len(items) - 5} more)" if len(items) > 5
                                        else "")
        return f" ({shown})" if items else ""

    drawn = result.map_articles
    return (f"changes: {len(result.new)} new, {len(result.changed)} changed, "
            f"{len(result.removed)} removed, "
            f"{result.unchanged} unchanged articles; "
            + (f"the map: {drawn[0]:,} -> {drawn[1]:,} articles, " if drawn else
               "the map: unchanged, ")
            + f"places +{len(result.places_added)}{names(result.places_added)} "
            f"-{len(result.places_removed)}{names(result.places_removed)}")


@main.command()
@click.argument("articles_dir", default="seeds", type=click.Path(file_okay=False, path_type=Path))
@_build_options
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Parse on this Dask cluster (tcp://host:8786) instead of --jobs processes; "
                   "needs mapper's dask extra on the workers.")
def build(articles_dir: Path, args: _BuildArgs, scheduler: str | None) -> None:
    """Geoparse the articles in ARTICLES_DIR (default: seeds/) and write the map.

    Articles are plain text (.txt, .md), saved web pages (.html, .htm) and PDF reports
    (.pdf); other files are counted and named by type ("3 .docx files ignored"). A folder
    with nothing readable stops the build (exit code 1) and leaves the map as it was.

    Only articles that are new or changed since the last build into the same --out folder
    are parsed (the article index, mapper-index.sqlite, remembers the rest). Writes
    index.html, places.html, places.geojson and places.gpkg (mentions.csv and mentions.geojson
    with --export).
    Unreadable articles are reported and skipped; the map is still written (exit code 3).

    Example: mapper build seeds --out maps && xdg-open maps/index.html
    """
    result = _run_build(articles_dir, args.out_dir, args.options(scheduler), quiet=args.quiet)
    if result.problems:
        sys.exit(EXIT_SKIPPED)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@main.command()
@click.argument("sources", nargs=-1, metavar="FILE_OR_URL...")
@click.option("--feed", "feeds", multiple=True, metavar="FILE_OR_URL",
              help="An RSS or Atom feed (a file or an http(s) address; repeatable): each "
                   "entry not yet in the corpus becomes an article file.")
@click.option("--to", "corpus_dir", default="seeds", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The corpus folder to put the articles into.")
@_build_options
def add(sources: tuple[str, ...], feeds: tuple[str, ...], corpus_dir: Path,
        args: _BuildArgs) -> None:
    """Put articles into the corpus folder, then rebuild its map.

    FILE_OR_URL: article files (.txt, .md, .html, .htm, .pdf) to copy, or http(s) addresses
    of web pages or PDFs to fetch and save as they came, so later builds need no network.
    A file whose name is already taken by the same content is left as it is; if a name is
    taken by a different article, nothing is copied (exit code 1): rename the new file.
    With --feed, each entry of the feed becomes a .txt article (title, date, link, outlet,
    its content or summary), and an entry already added is never added again.

    Only these addresses are fetched, and only now: politely (mapper's name in the
    User-Agent, timeouts, one request a second per site, robots.txt obeyed).

    Example: mapper add https://example.org/news/story.html --feed feeds/world.xml --to seeds
    """
    from mapper.read.fetch import Fetcher, is_url
    from mapper.read.inbox import put_in

    if not sources and not feeds:
        raise click.UsageError("give article files, addresses to fetch, or --feed")
    for f in (s for s in sources if not is_url(s)):
        if not Path(f).is_file():
            raise click.BadParameter(f"{f}: no such file", param_hint="FILE_OR_URL")
    try:
        messages = put_in(corpus_dir, sources, feeds, Fetcher(max_bytes=args.max_bytes))
    except MapperError as exc:
        raise click.ClickException(str(exc)) from exc
    if not args.quiet:
        for line in messages:
            click.echo(line)
    result = _run_build(corpus_dir, args.out_dir, args.options(), quiet=args.quiet)
    if result.problems:
        sys.exit(EXIT_SKIPPED)


@main.command()
@click.argument("articles_dir", default="seeds", type=click.Path(file_okay=False, path_type=Path))
@_build_options
@click.option("--debounce", default=500, show_default=True, type=click.IntRange(min=0),
              help="Milliseconds of quiet before a burst of changes triggers a rebuild.")
def watch(articles_dir: Path, args: _BuildArgs, debounce: int) -> None:
    """Build the map of ARTICLES_DIR, then rebuild it whenever its articles change.

    Stop with Ctrl-C. A failed rebuild is reported and watching goes on.

    Example: mapper watch seeds --out maps
    """
    from mapper.read.watching import watch_folder

    def rebuild(paths: set[str]) -> None:
        if not args.quiet:
            click.echo(f"{len(paths)} change(s) in {articles_dir}: rebuilding")
        try:
            _run_build(articles_dir, args.out_dir, args.options(), quiet=args.quiet)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)

    def first() -> None:  # once the folder is watched: what changes while it builds is seen
        from mapper.errors import NoArticlesError

        try:
            _run_build(articles_dir, args.out_dir, args.options(), quiet=args.quiet)
        except click.ClickException as exc:
            if not isinstance(exc.__cause__, NoArticlesError):
                raise
            # A folder to be filled: its first articles make the first map.
            click.echo(f"Error: {exc.format_message()}", err=True)
        if not args.quiet:
            click.echo(f"watching {articles_dir} (Ctrl-C to stop)")

    if not articles_dir.is_dir():
        raise click.ClickException(f"{articles_dir}: no such folder of articles")
    try:
        watch_folder(articles_dir, rebuild, out_dir=args.out_dir, debounce_ms=debounce,
                     on_ready=first)
    except KeyboardInterrupt:
        if not args.quiet:
            click.echo("stopped")


@main.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["csv", "geojson", "gpkg", "places"]))
@click.option("--from", "map_dir", default="maps", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The map's folder (the --out of its build).")
@click.option("--out", "dest", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: its usual name in the map's folder).")
def export_command(fmt: str, map_dir: Path, dest: Path | None) -> None:
    """Write an export of a built map from its article index, without parsing again.

    FORMAT: csv (mentions.csv), geojson (mentions.geojson), gpkg (places.gpkg) or places
    (places.geojson). Written into the map's folder, it is kept up to date by later builds.

    Example: mapper export csv --from maps --out ~/mentions.csv
    """
    from mapper.build.export import export

    try:
        path = export(map_dir, fmt, dest)
    except MapperError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")


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
    # CPU time of this process: the per-core rate, whatever else the machine is doing.
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


if __name__ == "__main__":
    main()
