"""Write AsyncClient's operations (client/aio.py) from Client's (client/sync.py).

Each operation of the typed client is defined once, in ``client/sync.py``: its signature,
its docstring and the call it sends. ``AsyncClient`` has the same operations, awaited;
this writes them into ``client/aio.py`` after its marker line, so the two never drift:

* ``def op(...) -> T`` becomes ``async def op(...) -> T`` and ``self._send(...)`` is awaited;
* ``def iter_x(...) -> Iterator[T]`` stays a plain ``def`` returning ``AsyncIterator[T]``
  (used as ``async for``);
* everything else (arguments, defaults, docstrings, comments) is copied as it is, and
  the models are imported as client/sync.py imports them.

The result is formatted with the project's ruff. ``tests/client/test_one_definition.py``
fails when ``client/aio.py`` is not what this writes.

    python tools/async_client.py            # rewrite client/aio.py
    python tools/async_client.py --check    # exit 1 if it is out of step
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNC = ROOT / "client" / "sync.py"
ASYNC = ROOT / "client" / "aio.py"
SYNC_MARKER = "    # -- the operations: written once here; tools/async_client.py makes AsyncClient's from them\n"
ASYNC_MARKER = "    # -- the operations: written by tools/async_client.py from client/sync.py (do not edit below)\n"
_METHOD = re.compile(r"^    def (\w+)\(", re.MULTILINE)
_MODELS = re.compile(r"^from \.models import \(.*?\)\n", re.MULTILINE | re.DOTALL)


def _operations(sync_source: str) -> str:
    if SYNC_MARKER not in sync_source:
        raise SystemExit(f"{SYNC} has no marker line {SYNC_MARKER.strip()!r}")
    return sync_source.split(SYNC_MARKER, 1)[1]


def _asynchronous(operations: str) -> str:
    starts = [m.start() for m in _METHOD.finditer(operations)]
    pieces = [operations[: starts[0]] if starts else operations]
    for start, end in zip(starts, [*starts[1:], len(operations)]):
        method = operations[start:end]
        signature = method[: method.index(":\n")]
        if "-> Iterator[" in signature:
            method = method.replace("-> Iterator[", "-> AsyncIterator[", 1)
        else:
            method = "    async def " + method[len("    def ") :]
            method = method.replace("self._send(", "await self._send(")
        pieces.append(method)
    return "".join(pieces)


def _format(source: str) -> str:
    ruff = Path(sys.executable).with_name("ruff")
    command = [str(ruff) if ruff.exists() else "ruff", "format", "--stdin-filename", str(ASYNC), "-"]
    return subprocess.run(command, input=source, capture_output=True, text=True, check=True, cwd=ROOT).stdout


def expected() -> str:
    """client/aio.py as it must be: its own part up to the marker (with the models
    imported as client/sync.py imports them), then the operations."""
    own = ASYNC.read_text().split(ASYNC_MARKER, 1)
    if len(own) != 2:
        raise SystemExit(f"{ASYNC} has no marker line {ASYNC_MARKER.strip()!r}")
    sync = SYNC.read_text()
    models = _MODELS.search(sync)
    head = _MODELS.sub(lambda _: models[0], own[0], count=1) if models else own[0]
    return _format(head + ASYNC_MARKER + _asynchronous(_operations(sync)))


def main(argv: list[str]) -> int:
    text = expected()
    if "--check" in argv:
        if ASYNC.read_text() != text:
            print(f"{ASYNC.relative_to(ROOT)} is out of step with client/sync.py: run python tools/async_client.py")
            return 1
        return 0
    ASYNC.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
