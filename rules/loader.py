"""Loading rule packs from YAML, with every problem reported against its rule."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from freechoice.catalog import Problem, ValidationFailed, problems_from_pydantic

from .schema import Effect, Rule, RulePack, When

__all__ = ["core_pack", "default_pack", "load_pack", "pack_version", "parse_pack"]

# libyaml's safe loader where PyYAML was built with it: the same documents, ten times as
# fast (every worker parses the bundled packs as it starts)
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_pack(raw: Any, *, source: str = "rule pack") -> RulePack:
    """Validate a rule pack given as a mapping (or YAML text).

    Raises ValidationFailed with one Problem per fault, its path naming the rule id.
    """
    if isinstance(raw, (str, bytes)):
        try:
            raw = yaml.load(raw, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader (libyaml's where built)
        except yaml.YAMLError as err:
            raise ValidationFailed([Problem("(file)", f"not valid YAML: {err}")], what=source) from None
    try:
        return RulePack.model_validate(raw)
    except ValidationError as err:
        problems = problems_from_pydantic(err)
        rules = raw.get("rules") if isinstance(raw, dict) else None
        named = []
        for p in problems:
            parts = p.field.split(".")
            if p.allowed is None and p.message.startswith("unknown field"):
                p = Problem(p.field, p.message, _keys_allowed(parts), p.value)
            if len(parts) >= 2 and parts[0] == "rules" and parts[1].isdigit() and isinstance(rules, list):
                i = int(parts[1])
                rid = rules[i].get("id") if i < len(rules) and isinstance(rules[i], dict) else None
                if rid:
                    p = Problem(f"rules[{rid}]." + ".".join(parts[2:]), p.message, p.allowed, p.value)
            named.append(p)
        raise ValidationFailed(named, what=source) from None


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): RulePack,
    ("rules",): Rule,
    ("rules", "when"): When,
    ("rules", "then"): Effect,
}


def _keys_allowed(parts: list[str]) -> list[str] | None:
    """The keys allowed where an unknown key was found (``rules.3.then.cuation`` -> Effect's)."""
    parent = tuple(x for x in parts[:-1] if not x.isdigit())
    model = _MODELS.get(parent)
    return sorted(model.model_fields) if model is not None else None


def load_pack(path: str | Path) -> RulePack:
    """Load a rule pack from a YAML file."""
    p = Path(path)
    return parse_pack(p.read_text(encoding="utf-8"), source=str(p))


def _bundled(name: str) -> RulePack:
    text = resources.files("freechoice.rules").joinpath(name).read_text(encoding="utf-8")
    return parse_pack(text, source=f"bundled {name}")


def core_pack() -> RulePack:
    """The core pack (client hard limits, eligibility, capacity); always compiled first."""
    return _bundled("core.yaml")


def default_pack() -> RulePack:
    """The default pack: the pilot brief's lessons as rules."""
    return _bundled("default.yaml")


def pack_version(*packs: RulePack) -> str:
    """Content hash of the given packs, recorded on every option list."""
    h = hashlib.sha256()
    for pack in packs:
        # what a pack does, not the language its words are in: translating a pack keeps its version
        h.update(
            json.dumps(pack.model_dump(mode="json", exclude={"language", "translations"}), sort_keys=True).encode()
        )
    return "rules-" + h.hexdigest()[:16]
