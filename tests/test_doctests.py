"""The examples in docstrings run (networkx style: docs that cannot rot)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "freechoice.api.ratelimit",
    "freechoice.catalog.index",
    "freechoice.catalog.hsds.vocabulary",
    "freechoice.catalog.signing",
    "freechoice.catalog.taxonomy",
    "freechoice.engine.assessment",
    "freechoice.engine.choices",
    "freechoice.engine.durable",
    "freechoice.engine.graph",
    "freechoice.engine.pages",
    "freechoice.engine.propose",
    "freechoice.engine.referrals",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
