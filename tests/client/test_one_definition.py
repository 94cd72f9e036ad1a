"""Each operation is defined once, in client/sync.py; AsyncClient's are written from it
by tools/async_client.py. Out of step is a failure, and both classes show IDEs and mypy
the same operations with the same arguments."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from freechoice.client import AsyncClient, Client

ROOT = Path(__file__).resolve().parents[2]


def _operations(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and not name.startswith("_") and name != "close"
    }


def test_the_async_client_is_written_from_the_sync_one():
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "async_client.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_both_clients_have_the_same_operations_and_arguments():
    sync, aio = _operations(Client), _operations(AsyncClient)
    assert sorted(sync) == sorted(aio) and len(sync) > 20
    for name, signature in sync.items():
        assert list(signature.parameters.values()) == list(aio[name].parameters.values()), name
        returns = str(signature.return_annotation)
        if returns.startswith("Iterator["):
            assert str(aio[name].return_annotation) == "Async" + returns, name
            assert not inspect.iscoroutinefunction(getattr(AsyncClient, name))
        else:
            assert aio[name].return_annotation == signature.return_annotation, name
            assert inspect.iscoroutinefunction(getattr(AsyncClient, name)), name
        assert inspect.getdoc(getattr(Client, name)) == inspect.getdoc(getattr(AsyncClient, name)), name


def test_mypy_sees_the_same_operations_on_both_clients():
    # tests/client/typed_usage.py asserts the types IDEs show (assert_type), checked strictly
    checked = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "typecheck.py"), str(ROOT / "tests" / "client" / "typed_usage.py")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
