"""Write the typed client's models (client/models.py) from the service's own.

The client must stand alone: importing ``freechoice.client`` must not import the server
(fastapi, sqlalchemy, durable_rules, ``freechoice.api``, ``freechoice.engine``). Its
models are written here from the service's pydantic models, field by field (the same
names, types, aliases, defaults and limits), with two differences on purpose:

* a field the client does not know is ignored, not refused (``extra="ignore"``, where
  the service forbids it): a client older than the service still reads its answers;
* the service's own checks in code (validators) stay on the service; the client checks
  shapes and limits before sending, the service checks the rest.

``tests/client/test_standalone.py`` fails when client/models.py is not what this writes.

    python tools/client_models.py            # rewrite client/models.py
    python tools/client_models.py --check    # exit 1 if it is out of step
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import inspect
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "client" / "models.py"

# (module, name): what the client sends and receives, and its public name
ROOTS = [
    ("freechoice.engine", "Assessment"),
    ("freechoice.engine", "Choice"),
    ("freechoice.engine", "Option"),
    ("freechoice.engine", "OptionList"),
    ("freechoice.engine", "ReferralDraft"),
    ("freechoice.catalog", "Capacity"),
    ("freechoice.catalog", "Organization"),
    ("freechoice.catalog", "Service"),
    ("freechoice.api.schemas", "ChoiceCreated"),
    ("freechoice.api.schemas", "ChoiceRecord"),
    ("freechoice.api.schemas", "ChosenReferral"),
    ("freechoice.api.schemas", "FeedbackCode"),
    ("freechoice.api.schemas", "FeedbackRecord"),
    ("freechoice.api.schemas", "OptionListSummary"),
    ("freechoice.api.schemas", "Referral"),
    ("freechoice.api.schemas", "ReferralEvent"),
    ("freechoice.api.schemas", "ServiceRecord"),
    ("freechoice.api.reports", "Kpis"),
    ("freechoice.api.routes.events", "Event"),
    ("freechoice.api.routes.option_lists", "NeedOptionsPage"),
    ("freechoice.api.routes.webhooks", "DeliveryRecord"),
    ("freechoice.api.routes.webhooks", "SubscriptionCreated"),
    ("freechoice.api.routes.webhooks", "SubscriptionRecord"),
    ("freechoice.api.contract", "Problem"),
]
RENAMED = {"Problem": "ProblemDocument"}  # the client's name for the RFC 9457 document
# constants the client shares with the service: (module, name)
CONSTANTS = [("freechoice.api.pagination", "MAX_LIMIT"), ("freechoice.api.problems", "MEDIA")]

_CONSTRAINTS = {
    annotated_types.Gt: "gt",
    annotated_types.Ge: "ge",
    annotated_types.Lt: "lt",
    annotated_types.Le: "le",
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
    annotated_types.MultipleOf: "multiple_of",
}
_PLAIN = {str: "str", int: "int", float: "float", bool: "bool", bytes: "bytes", type(None): "None"}
_DATES = {dt.datetime: "dt.datetime", dt.date: "dt.date", dt.time: "dt.time", dt.timedelta: "dt.timedelta"}
_CONTAINERS = {
    list: "list",
    dict: "dict",
    set: "set",
    frozenset: "frozenset",
    tuple: "tuple",
    typing.Sequence: "list",
    typing.Mapping: "dict",
}


def _name(cls: type) -> str:
    return RENAMED.get(cls.__name__, cls.__name__)


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel


def _public_base(cls: type[BaseModel]) -> type[BaseModel] | None:
    """The class's generated base: its first model base that is not private (``_Model``)
    nor generic (a page of the service's ``Page[X]`` is written out whole, its items
    typed: the client's pages are its own)."""
    for base in cls.__mro__[1:]:
        if _is_model(base) and not base.__name__.startswith("_") and not _generic(base):
            return base
    return None


def _generic(cls: type[BaseModel]) -> bool:
    meta = cls.__pydantic_generic_metadata__
    return meta["origin"] is not None or bool(meta["parameters"])


class Writer:
    def __init__(self) -> None:
        self.models: list[type[BaseModel]] = []
        self.uses: set[str] = set()
        self.before: dict[type[BaseModel], set[type[BaseModel]]] = {}  # defined before the class: base, defaults
        self._current: type[BaseModel] | None = None

    def collect(self, cls: type[BaseModel]) -> None:
        if cls in self.models:
            return
        if _generic(cls):
            raise SystemExit(f"{cls.__qualname__}: generic models are the client's own (Page)")
        base = _public_base(cls)
        if base is not None:
            self.collect(base)
        self.models.append(cls)
        for info in cls.model_fields.values():
            self._collect_type(info.annotation)

    def _collect_type(self, annotation: Any) -> None:
        if _is_model(annotation):
            self.collect(annotation)
        for arg in typing.get_args(annotation):
            self._collect_type(arg)

    def annotation(self, annotation: Any) -> str:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if annotation is Any:
            self.uses.add("Any")
            return "Any"
        if annotation in _PLAIN:
            return _PLAIN[annotation]
        if annotation in _DATES:
            return _DATES[annotation]
        if annotation is decimal.Decimal:
            self.uses.add("Decimal")
            return "Decimal"
        if _is_model(annotation):
            return _name(annotation)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            self.uses.add("Literal")
            return "Literal[" + ", ".join(repr(m.value) for m in annotation) + "]"
        if origin is typing.Annotated:
            return self.annotation(args[0])  # limits are read from the field; checks in code stay server-side
        if origin is typing.Literal:
            self.uses.add("Literal")
            return "Literal[" + ", ".join(repr(a) for a in args) + "]"
        if origin in (typing.Union, types.UnionType):
            return " | ".join(self.annotation(a) for a in args)
        if origin in _CONTAINERS or annotation in _CONTAINERS:
            container = _CONTAINERS[origin or annotation]
            if not args:
                self.uses.add("Any")
                return f"{container}[Any]" if container != "dict" else "dict[str, Any]"
            rendered = [("..." if a is Ellipsis else self.annotation(a)) for a in args]
            return f"{container}[{', '.join(rendered)}]"
        raise SystemExit(f"no rendering for the annotation {annotation!r}")

    def field(self, name: str, info: FieldInfo) -> str:
        annotation = self.annotation(info.annotation)
        args: list[str] = []
        if info.default is not PydanticUndefined:
            default = info.default
            if isinstance(default, enum.Enum):
                default = default.value
            if isinstance(default, BaseModel):
                args.append(f"default_factory={self._made(default)}")
            else:
                args.append(f"default={default!r}")
        elif info.default_factory is not None:
            made = info.default_factory()  # type: ignore[call-arg]
            if isinstance(made, BaseModel):
                factory = self._made(made)
            elif made == [] and isinstance(made, list):
                factory = "list"
            elif made == {} and isinstance(made, dict):
                factory = "dict"
            else:
                factory = f"lambda: {made!r}"
            args.append(f"default_factory={factory}")
        if info.alias is not None and info.alias != name:
            args.append(f"alias={info.alias!r}")
        for item in info.metadata:
            key = _CONSTRAINTS.get(type(item))
            if key is not None:
                args.append(f"{key}={getattr(item, key)!r}")
            elif type(item).__name__ == "_PydanticGeneralMetadata" and getattr(item, "pattern", None):
                args.append(f"pattern={item.pattern!r}")
        if not args:
            return f"    {name}: {annotation}"
        if len(args) == 1 and args[0].startswith("default="):
            return f"    {name}: {annotation} = {args[0][len('default=') :]}"
        self.uses.add("Field")
        # the default as default=: type checkers read it only by that name (dataclass_transform)
        return f"    {name}: {annotation} = Field({', '.join(args)})"

    def _made(self, value: BaseModel) -> str:
        cls = type(value)
        if self._current is not None:
            self.before.setdefault(self._current, set()).add(cls)
        if value == cls():
            return f"lambda: {_name(cls)}()"
        return f"lambda: {_name(cls)}.model_validate({value.model_dump(mode='json', by_alias=True)!r})"

    def model(self, cls: type[BaseModel]) -> str:
        base = _public_base(cls)
        self._current = cls
        self.before.setdefault(cls, set()).update([base] if base is not None else [])
        inherited = base.model_fields if base is not None else {}
        lines = [f"class {_name(cls)}({_name(base) if base is not None else '_Model'}):"]
        doc = cls.__dict__.get("__doc__")
        if doc:
            lines.append(f'    """{_docstring(doc)}"""')
            lines.append("")
        config = cls.model_config
        if config.get("extra") == "allow":
            lines.append('    model_config = ConfigDict(extra="allow")')
            self.uses.add("ConfigDict")
        own = [
            (name, info)
            for name, info in cls.model_fields.items()
            if name not in inherited or repr(inherited[name]) != repr(info)
        ]
        for name, info in own:
            line = self.field(name, info)
            if name in inherited and inherited[name].annotation != info.annotation:
                line += "  # type: ignore[assignment]  # narrower than the base's, as in the service"
            lines.append(line)
        if lines[-1] == "" or len(lines) == 1:
            lines.append("    pass")
        while lines[-1] == "":
            lines.pop()
        return "\n".join(lines)


def _ordered(
    models: list[type[BaseModel]], before: dict[type[BaseModel], set[type[BaseModel]]]
) -> list[type[BaseModel]]:
    """``models`` in their order, each after the classes it needs defined first."""
    out: list[type[BaseModel]] = []

    def place(cls: type[BaseModel]) -> None:
        if cls in out:
            return
        for need in sorted(before.get(cls, set()), key=models.index):
            place(need)
        out.append(cls)

    for cls in models:
        place(cls)
    return out


def _docstring(doc: str) -> str:
    text = inspect.cleandoc(doc).replace('"""', "'''").replace("\\", "\\\\")
    return text.replace("\n", "\n    ") if "\n" in text else text


def _by_alias(cls: type[BaseModel]) -> bool:
    return any(info.alias not in (None, name) for name, info in cls.model_fields.items())


def source() -> str:
    import importlib

    writer = Writer()
    roots = [getattr(importlib.import_module(module), name) for module, name in ROOTS]
    for cls in roots:
        writer.collect(cls)
    written = {cls: writer.model(cls) for cls in writer.models}
    bodies = [written[cls] for cls in _ordered(writer.models, writer.before)]
    constants = []
    for module, name in CONSTANTS:
        constants.append(f"{name} = {getattr(importlib.import_module(module), name)!r}")
    typing_names = sorted(writer.uses & {"Any", "Literal"})
    pydantic_names = sorted({"BaseModel", "ConfigDict"} | (writer.uses & {"Field"}))
    public = sorted([_name(c) for c in roots] + [name for _, name in CONSTANTS])
    header = [
        '"""The shapes the client sends and receives: the service\'s own models, written out by',
        "tools/client_models.py (do not edit; run it after changing a model the API sends or",
        "takes). The same names, fields, aliases, defaults and limits; unknown fields in an",
        "answer are ignored (a client older than the service still reads it); the service's",
        'checks in code stay on the service."""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime as dt",
    ]
    if "Decimal" in writer.uses:
        header.append("from decimal import Decimal")
    if typing_names:
        header.append(f"from typing import {', '.join(typing_names)}")
    header += [
        "",
        f"from pydantic import {', '.join(pydantic_names)}",
        "",
        f"__all__ = {public!r}",
        "",
        *constants,
        "",
        "",
        "class _Model(BaseModel):",
        '    """Every model here: unknown fields ignored, fields also set by their Python names."""',
        "",
        '    model_config = ConfigDict(extra="ignore", populate_by_name=True)',
    ]
    text = "\n".join(header) + "\n\n\n" + "\n\n\n".join(bodies) + "\n\n\n"
    text += "".join(f"{_name(cls)}.model_rebuild()\n" for cls in writer.models)
    return _format(text)


def _format(text: str) -> str:
    ruff = Path(sys.executable).with_name("ruff")
    ruff_cmd = str(ruff) if ruff.exists() else "ruff"
    fixed = subprocess.run(
        [ruff_cmd, "check", "--fix-only", "--quiet", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return subprocess.run(
        [ruff_cmd, "format", "--stdin-filename", str(TARGET), "-"],
        input=fixed,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout


def main(argv: list[str]) -> int:
    text = source()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(
                f"{TARGET.relative_to(ROOT)} is out of step with the service's models: run python tools/client_models.py"
            )
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
