"""The ``mapper`` command (see :mod:`.group`); importing the package registers every
command."""

from mapper.cli import building, inspecting  # noqa: F401  (they register their commands)
from mapper.cli.group import EXIT_BUSY, EXIT_SKIPPED, main

__all__ = ["EXIT_BUSY", "EXIT_SKIPPED", "main"]
