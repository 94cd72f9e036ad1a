"""How the command line reports freechoice errors: every problem on stderr, exit code 2."""

from __future__ import annotations

import sys

import typer

from freechoice.catalog import FreechoiceError, ValidationFailed

__all__ = ["run"]


def run(app: typer.Typer) -> None:
    try:
        app(standalone_mode=True)
    except ValidationFailed as err:
        print(f"error: invalid {err.what}:", file=sys.stderr)
        for p in err.problems:
            print(f"  - {p}", file=sys.stderr)
        raise SystemExit(2) from None
    except FreechoiceError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
