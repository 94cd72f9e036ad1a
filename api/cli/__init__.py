"""The ``freechoice`` command line (typer).

Each command group lives in its own module with a ``register(app)`` function, so the
groups stay small and independent. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import typer

from . import _errors

__all__ = ["build_app", "main"]

_GROUPS = (
    "match_cmd",
    "demo_cmd",
    "rules_cmd",
    "catalog_cmd",
    "db_cmd",
    "keys_cmd",
    "clients_cmd",
    "retention_cmd",
    "serve_cmd",
)


def build_app() -> typer.Typer:
    """Build the typer app with every command group that is installed."""
    import importlib

    app = typer.Typer(
        name="freechoice",
        help="Match a client's ranked needs to services they can choose from.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in _GROUPS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__name__}.{name}":
                continue
            raise
        module.register(app)
    return app


def main() -> None:
    """Console-script entry point: errors from freechoice print cleanly and exit 2."""
    _errors.run(build_app())
