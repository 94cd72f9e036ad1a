"""Build durable-rules 2.0.28 with freechoice's patch into a wheel for this Python.

    python tools/build_durable_rules.py [--dest DIR]

Downloads the stock sdist from the package registry with pip, checks its SHA-256,
applies ``patches/durable-rules-2.0.28.patch`` (Python 3.13 support, no deprecation
warning; behaviour unchanged) and builds ``durable_rules-2.0.28+freechoice.1`` for the
running interpreter into ``DIR`` (default ``.wheels``). Does nothing when that wheel
is already there. Then: ``pip install --find-links DIR -e .`` (``make`` does both).
Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATCH = ROOT / "patches" / "durable-rules-2.0.28.patch"
SDIST = "durable_rules-2.0.28.tar.gz"
SDIST_SHA256 = "053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61"
VERSION = "2.0.28+freechoice.1"


def wheel_tag() -> str:
    """The wheel's interpreter tag for the running Python, e.g. ``cp313``."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def existing_wheel(dest: Path) -> Path | None:
    found = sorted(dest.glob(f"durable_rules-{VERSION}-{wheel_tag()}-*.whl"))
    return found[0] if found else None


def build(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    if (done := existing_wheel(dest)) is not None:
        return done
    pip = [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory(prefix="durable-rules-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [
                *pip,
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "durable-rules==2.0.28",
                "-d",
                str(work),
            ],
            check=True,
        )
        sdist = work / SDIST
        digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
        if digest != SDIST_SHA256:
            sys.exit(f"{SDIST}: sha256 {digest}, expected {SDIST_SHA256}; not building an unknown source")
        with tarfile.open(sdist) as tar:
            if sys.version_info >= (3, 12):
                tar.extractall(work, filter="data")
            else:
                tar.extractall(work)  # noqa: S202 (checked by its hash above)
        src = work / "durable_rules-2.0.28"
        if shutil.which("patch"):
            subprocess.run(
                ["patch", "--batch", "--forward", "-p1", "-i", str(PATCH)],
                cwd=src,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        else:  # git applies a patch outside a repository just as well
            subprocess.run(["git", "apply", "-p1", str(PATCH)], cwd=src, check=True)
        subprocess.run([*pip, "wheel", "--quiet", "--no-deps", "-w", str(dest), str(src)], check=True)
    wheel = existing_wheel(dest)
    if wheel is None:
        sys.exit(f"no durable_rules {VERSION} wheel for {wheel_tag()} ({sysconfig.get_platform()}) in {dest}")
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=ROOT / ".wheels", help="where the wheel goes (default: .wheels)")
    print(build(parser.parse_args().dest))


if __name__ == "__main__":
    main()
