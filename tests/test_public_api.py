"""Every public module exports a sorted ``__all__`` whose names exist."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

PACKAGES = ["freechoice.catalog", "freechoice.rules", "freechoice.engine", "freechoice.api", "freechoice.client"]


def _modules() -> list[str]:
    names = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + "."):
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf.startswith("_") or "migrations" in info.name:
                continue
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_all_is_sorted_and_resolves(name: str):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


def test_repository_folders_are_not_importable_as_top_level_packages():
    """``import engine`` must not reach the repository's engine/ folder (two copies of
    every class); tests/engine may exist as a plain test folder."""
    import importlib.util
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    for top in ("engine", "rules", "catalog", "api", "client"):
        spec = importlib.util.find_spec(top)
        locations = [] if spec is None else list(spec.submodule_search_locations or [spec.origin])
        assert repo / top not in [Path(p).resolve() for p in locations if p], top
