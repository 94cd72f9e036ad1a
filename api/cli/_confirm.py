"""Commands that destroy data ask first: ``--yes`` confirms up front; at a terminal the
operator is asked (no by default); with nobody to ask, the command refuses (exit 2)."""

from __future__ import annotations

import sys

import typer

from freechoice.catalog import Problem, ValidationFailed

__all__ = ["confirm_destructive"]


def confirm_destructive(warning: str, yes: bool) -> None:
    """Return when the operator confirmed ``warning``; otherwise stop with nothing changed."""
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # nobody at a terminal to ask
        raise ValidationFailed(
            [Problem("--yes", f"{warning}: add --yes to confirm; nothing was changed")], what="command"
        )
    if not typer.confirm(f"{warning}. Continue?", default=False):
        typer.echo("nothing was changed", err=True)
        raise typer.Exit(1)
