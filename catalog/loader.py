"""Reading catalogs from YAML or JSON files, and the bundled fictional sample."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import Problem, ValidationFailed
from .index import Catalog
from .models import CatalogData

__all__ = ["load_catalog", "load_sample_catalog", "parse_catalog", "problems_from_pydantic"]

SAMPLE_RESOURCE = "sample_catalog.yaml"


def problems_from_pydantic(err: ValidationError, prefix: str = "") -> list[Problem]:
    """Turn a pydantic error into :class:`Problem` rows (field path, message, allowed values)."""
    out = []
    for e in err.errors(include_url=False):
        path = ".".join(str(p) for p in (prefix, *e["loc"]) if p != "")
        allowed = None
        ctx = e.get("ctx") or {}
        if "expected" in ctx:
            allowed = [a.strip(" '") for a in str(ctx["expected"]).replace(" or ", ",").split(",") if a.strip(" '")]
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (not part of the format)"
        out.append(Problem(path or "(root)", msg, allowed, e.get("input")))
    return out


def parse_catalog(raw: Any, *, source: str = "catalog") -> Catalog:
    try:
        data = CatalogData.model_validate(raw)
    except ValidationError as err:
        raise ValidationFailed(problems_from_pydantic(err), what=source) from None
    return Catalog.from_data(data)


def load_catalog(path: str | Path) -> Catalog:
    """Load a catalog from a ``.yaml``/``.yml`` or ``.json`` file."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    raw = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    return parse_catalog(raw, source=str(p))


def load_sample_catalog() -> Catalog:
    """The bundled catalog of FICTIONAL sample providers (for demos and tests)."""
    text = resources.files("freechoice.catalog").joinpath(SAMPLE_RESOURCE).read_text(encoding="utf-8")
    return parse_catalog(yaml.safe_load(text), source="sample catalog")
