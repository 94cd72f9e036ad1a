"""mypy --strict over the engine, the catalog and the client, as the installed package sees them.

The source folders (`engine/`, `catalog/`, ...) are installed under other names
(`freechoice.engine`, ...; setuptools package-dir), which mypy cannot map by itself.
This lays out a temporary `freechoice/` of symbolic links to the folders and runs mypy
there with the project's configuration (pyproject.toml, [tool.mypy]).

    python tools/typecheck.py [PACKAGE ...]     # default: freechoice.engine freechoice.catalog freechoice.client
    python tools/typecheck.py FILE.py ...        # those files, against the package (tests/client/typed_usage.py)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ["engine", "rules", "catalog", "api", "client"]
DEFAULT = ["freechoice.engine", "freechoice.catalog", "freechoice.client"]


def main(argv: list[str]) -> int:
    files = [str(Path(a).resolve()) for a in argv if a.endswith(".py")]
    packages = [a for a in argv if not a.endswith(".py")] or ([] if files else DEFAULT)
    with tempfile.TemporaryDirectory(prefix="freechoice-typecheck-") as tmp:
        top = Path(tmp, "freechoice")
        top.mkdir()
        (top / "__init__.py").write_text("")  # a regular package: data folders are not namespace packages
        for folder in FOLDERS:
            (top / folder).symlink_to(ROOT / folder, target_is_directory=True)
        cmd = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-namespace-packages",
        ]
        for p in packages:
            cmd += ["-p", p]
        cmd += files
        return subprocess.call(cmd, cwd=tmp, env=dict(os.environ, MYPYPATH=tmp))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
