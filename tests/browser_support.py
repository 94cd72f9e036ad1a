"""A real browser for the tests: Debian's Chromium driven by Playwright.

Browsers cannot be downloaded from Playwright's own servers here, so the tests drive the
distribution's ``chromium`` through ``executable_path``. When it (or the Noto fonts for
Burmese, Thai, Khmer and Lao, or ``pdftotext``) is missing, :func:`ensure_browser_tools`
installs the Debian packages, so CI on a fresh machine passes without a manual step.

Fixtures (registered in ``tests/conftest.py``): ``chromium_path``, ``browser`` (one
headless Chromium per test session), ``page`` (a fresh page, 360 px wide unless a test
resizes it) and ``artefacts`` (``test-artefacts/``, where screenshots and PDFs are kept).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["ARTEFACTS", "BrowserToolsMissing", "ensure_browser_tools", "pdf_fonts", "pdf_text"]

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"

# what each tool needs from Debian: the command (or file) that shows it is there
_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "fonts-noto-core": "/usr/share/fonts/truetype/noto/NotoSansMyanmar-Regular.ttf",
    "poppler-utils": "/usr/bin/pdftotext",
}


class BrowserToolsMissing(RuntimeError):
    """Chromium, the Noto fonts or pdftotext are missing and could not be installed."""


def _missing() -> list[str]:
    return [pkg for pkg, path in _PACKAGES.items() if not Path(path).exists()]


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=600", *args]
    if os.geteuid() != 0 and shutil.which("sudo"):
        cmd = ["sudo", "-n", *cmd]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def ensure_browser_tools() -> str:
    """Install what is missing of Chromium, the Noto fonts and pdftotext; return Chromium's path.

    Raises :class:`BrowserToolsMissing` with apt's own words when the packages cannot be
    installed (no root, no network): the tests that need a browser then fail with a reason.
    """
    missing = _missing()
    if missing:
        done = _apt("install", "-y", "--no-install-recommends", *missing)
        if done.returncode != 0:  # a fresh machine may not have read the package lists yet
            _apt("update")
            done = _apt("install", "-y", "--no-install-recommends", *missing)
        if done.returncode != 0 or _missing():
            raise BrowserToolsMissing(
                f"could not install {', '.join(missing)} with apt-get: {(done.stderr or done.stdout).strip()[-600:]}"
            )
        subprocess.run(["fc-cache", "-f"], capture_output=True, check=False)
    return _PACKAGES["chromium"]


def pdf_text(pdf: Path) -> str:
    """The text of a PDF as ``pdftotext -layout`` extracts it (UTF-8)."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def pdf_fonts(pdf: Path) -> list[str]:
    """The fonts a PDF embeds, without their subset prefix (``NotoSansMyanmar-Regular``, ...).

    A script drawn with a font that has its glyphs shows that font here; a missing glyph
    falls back to a box drawn from some other font, so tests check the expected font is used.
    """
    done = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = done.stdout.splitlines()[2:]
    return [row.split()[0].split("+", 1)[-1] for row in rows if row.strip()]
