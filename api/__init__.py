"""freechoice.api: the HTTP service (FastAPI app factory) and the command line."""

__all__: list[str] = []
