"""``python -m freechoice.api.cli`` runs the same command line as ``freechoice``."""

from . import main

main()
