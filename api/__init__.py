"""freechoice.api: the HTTP service (FastAPI app factory) and the command line."""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
