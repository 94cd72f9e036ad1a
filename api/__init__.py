"""freechoice.api: the HTTP service (FastAPI app factory) and the command line.

The app is imported when one of its names is first read, not with the package, so the
command line (``freechoice.api.cli``) starts without building it; ``serve`` imports it
itself (after pausing the garbage collector, see :mod:`.cli.serve_cmd`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
