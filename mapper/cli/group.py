"""The ``mapper`` command: a thin click layer over the library.

Library errors become one-line messages and exit codes here, and nowhere below.
Exit codes: 0 done; 1 failed (nothing written); 2 bad usage; 3 done, but some articles were
skipped (each is reported on stderr by name); 4 another build was writing the output folder
and ``--no-wait`` was given.

The commands that build a map (build, add, watch, export) are in :mod:`.building`; those
that look inside the geoparser (parse, evaluate, lookup) in :mod:`.inspecting`.
"""

from __future__ import annotations

import click

EXIT_SKIPPED = 3
EXIT_BUSY = 4


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mapper")
def main() -> None:
    """mapper: put the places that news articles name on an interactive map."""
