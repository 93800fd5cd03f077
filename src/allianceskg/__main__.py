"""Run the command-line interface with ``python -m allianceskg``."""

from allianceskg.cli import main

main()
