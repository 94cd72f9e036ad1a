"""The ``freechoice`` command line (typer).

Each command group lives in its own module with a ``register(app)`` function, so the
groups stay small and independent. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import typer

from . import _errors

__all__ = ["build_app", "main", "package_version"]


def package_version() -> str:
    """The installed freechoice version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("freechoice")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


_GROUPS = (
    "match_cmd",
    "handout_cmd",
    "demo_cmd",
    "rules_cmd",
    "catalog_cmd",
    "db_cmd",
    "keys_cmd",
    "accounts_cmd",
    "clients_cmd",
    "retention_cmd",
    "webhooks_cmd",
    "report_cmd",
    "serve_cmd",
    "i18n_cmd",
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

    def _print_version(value: bool) -> None:
        if value:
            typer.echo(f"freechoice {package_version()}")
            raise typer.Exit()

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False, "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ) -> None:
        """Match a client's ranked needs to services they can choose from."""

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
