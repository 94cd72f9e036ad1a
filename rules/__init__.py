"""freechoice.rules: rule packs as data (YAML), their schema, the bundled core and
default packs, and the YAML rule test cases."""

from .loader import core_pack, default_pack, load_pack, pack_version, parse_pack
from .schema import CLIENT_FIELDS, MATCH_FIELDS, OPERATORS, SERVICE_FIELDS, Effect, Rule, RulePack, When

__all__ = [
    "CLIENT_FIELDS",
    "Effect",
    "MATCH_FIELDS",
    "OPERATORS",
    "Rule",
    "RulePack",
    "SERVICE_FIELDS",
    "When",
    "core_pack",
    "default_pack",
    "load_pack",
    "pack_version",
    "parse_pack",
]
