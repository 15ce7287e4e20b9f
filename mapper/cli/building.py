"""The commands that build a map: build, add, watch, export."""

from __future__ import annotations

import dataclasses
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from mapper.cli.group import EXIT_BUSY, EXIT_SKIPPED, main
from mapper.errors import BuildLockedError, MapperError
from mapper.read.corpus import DEFAULT_MAX_BYTES


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
