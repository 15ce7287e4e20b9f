"""``python -m mapper.cli``."""

from mapper.cli import main

main()
