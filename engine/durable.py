"""The one module that owns durable-rules (2.0.28, the last release).

Everything the rest of freechoice knows about durable-rules goes through
:class:`RuleHost`. It works around the engine's known sharp edges (see the project's
design notes; each is pinned by a test in ``tests/engine/test_durable.py``):

- no background timer threads (the stock ``Host`` starts two that race with callers);
- one process-wide lock around every call into the C engine (it is not thread-safe
  and never releases the GIL: scale with processes, not threads);
- a fresh session id per evaluation, a sentinel event first (``delete_state`` on a
  session in which no action ever ran segfaults), ``delete_state`` in ``finally``
  (at most 1,024 live sessions per ruleset);
- facts asserted one at a time (batch assertion defers actions to a timer thread);
- ``MessageNotHandledException`` means "no rule matched", not an error;
- one-parameter actions that only record ``(rule id, fact id)``; exceptions inside
  actions are swallowed by durable-rules into the session state, so they are caught
  here and raised as :class:`~freechoice.catalog.errors.RuleEngineError`;
- definitions deep-copied (durable-rules deletes ``run`` from what it is given);
- every pattern anchored on a field every fact carries (a pattern of only ``$nex`` /
  ``$ex`` tests otherwise never returns);
- reserved field names (``sid``, ``$s``) rejected, strings normalised to NFC.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from durable import engine as _engine

from freechoice.catalog.errors import Problem, RuleEngineError, RuleError, ValidationFailed

__all__ = ["MAX_PROPERTIES", "PROCESS_LOCK", "RuleHost"]

#: Every call into the durable-rules C engine in this process goes under this lock.
PROCESS_LOCK = threading.RLock()

#: durable-rules refuses facts with more properties than this.
MAX_PROPERTIES = 255

_SENTINEL_RULE = "freechoice-sentinel"
_SENTINEL_FIELD = "freechoice_sentinel"
# Every fact carries this field and every pattern requires it: a pattern made only of
# ``$nex``/``$ex`` tests otherwise never returns from the engine (measured, pinned by a test).
_ANCHOR_FIELD = "freechoice_fact"
_RESERVED = {"sid", "$s", _SENTINEL_FIELD, _ANCHOR_FIELD}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
# More than 64 rules of one ruleset matching the same fact make the engine fail with
# error 303 (measured): each named ruleset is split into internal chunks below that.
CHUNK = 48
_ruleset_serial = iter(range(1, 1 << 62))


class _QuietHost(_engine.Host):  # type: ignore[misc]  # durable-rules has no types
    """A durable-rules Host without the two background dispatch timers."""

    def _run(self) -> None:  # noqa: D401 - deliberately does nothing
        return None


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _check_fact(fact: Mapping[str, Any]) -> dict[str, Any]:
    problems = []
    fid = fact.get("id")
    if not isinstance(fid, str) or not fid:
        problems.append(Problem("id", "every fact needs a non-empty string id"))
    if len(fact) + 1 > MAX_PROPERTIES:
        problems.append(Problem("(fact)", f"{len(fact)} properties; durable-rules takes at most {MAX_PROPERTIES - 1}"))
    out: dict[str, Any] = {}
    for key, value in fact.items():
        if key in _RESERVED:
            problems.append(Problem(key, "reserved field name in durable-rules facts"))
            continue
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            problems.append(Problem(key, "fact values must be scalars or lists of scalars"))
            continue
        out[unicodedata.normalize("NFC", key)] = _nfc(value)
    if problems:
        raise ValidationFailed(problems, what=f"rule fact {fid!r}")
    return out


class RuleHost:
    """Owns one durable-rules Host (no timer threads) for one compiled rule pack.

    Parameters
    ----------
    rulesets : ruleset name -> {rule id: pattern}. A pattern is a durable-rules JSON
        condition over one fact (what goes in ``{"m": ...}``), e.g.
        ``{"$and": [{"documents": "lost"}, {"$gte": {"age": 18}}]}``.

    Raises
    ------
    RuleError : a rule id or ruleset name durable-rules cannot take, or a pattern it rejects.

    Examples
    --------
    >>> host = RuleHost({"client": {"adult": {"$gte": {"age": 18}}}})
    >>> host.evaluate("client", [{"id": "c1", "age": 30}, {"id": "c2", "age": 12}])
    [('adult', 'c1')]
    """

    def __init__(self, rulesets: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        self._names: dict[str, list[str]] = {}
        self._hits: list[tuple[str, str]] = []
        self._failure: list[str] = []
        definitions: dict[str, dict[str, Any]] = {}
        for name, rules in rulesets.items():
            if not _NAME.match(name):
                raise RuleError(f"ruleset name {name!r} must match {_NAME.pattern}")
            items = list(rules.items())
            self._names[name] = []
            for start in range(0, max(len(items), 1), CHUNK):
                internal = f"fc{next(_ruleset_serial)}_{name}"
                self._names[name].append(internal)
                body: dict[str, Any] = {
                    _SENTINEL_RULE: {"all": [{"m": {_SENTINEL_FIELD: True}}], "run": self._record(None)}
                }
                for rule_id, pattern in items[start : start + CHUNK]:
                    if not _NAME.match(rule_id) or rule_id == _SENTINEL_RULE:
                        raise RuleError(f"rule id {rule_id!r} must match {_NAME.pattern}")
                    anchored = {"$and": [{_ANCHOR_FIELD: True}, copy.deepcopy(dict(pattern))]}
                    body[rule_id] = {"all": [{"m": anchored}], "run": self._record(rule_id)}
                definitions[internal] = body
        with PROCESS_LOCK:
            self._host = _QuietHost()
            for internal, body in definitions.items():
                try:
                    self._host.register_rulesets({internal: body})
                except Exception as err:  # durable-rules raises bare Exception
                    raise RuleError(f"durable-rules rejected ruleset {internal!r}: {err}") from None

    def _record(self, rule_id: str | None) -> Callable[[Any], None]:
        hits = self._hits
        failure = self._failure

        def action(c: Any) -> None:  # exactly one parameter: two would make it async
            if rule_id is None:
                return
            try:
                hits.append((rule_id, c.m["id"]))
            except Exception as err:  # pragma: no cover - recorded, then raised by evaluate
                failure.append(f"{rule_id}: {err!r}")

        return action

    @property
    def rulesets(self) -> list[str]:
        return sorted(self._names)

    def evaluate(self, ruleset: str, facts: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """Assert each fact in a fresh session; return sorted (rule id, fact id) matches.

        Raises
        ------
        RuleError : unknown ruleset.
        ValidationFailed : a fact with a reserved field name, nested values, no id,
            a duplicate id, or too many properties.
        RuleEngineError : durable-rules failed or an action raised.
        """
        chunks = self._names.get(ruleset)
        if chunks is None:
            raise RuleError(f"no ruleset {ruleset!r}; have {sorted(self._names)}")
        checked = [_check_fact(f) for f in facts]
        ids = [f["id"] for f in checked]
        if len(set(ids)) != len(ids):
            raise ValidationFailed([Problem("id", "fact ids must be unique within one evaluation")], what="rule facts")
        with PROCESS_LOCK:
            del self._hits[:]
            del self._failure[:]
            for internal in chunks:
                self._session(internal, ruleset, checked)
            if self._failure:
                raise RuleEngineError(f"a rule action failed in {ruleset!r}: {'; '.join(self._failure)}")
            # an ``$or`` whose branches both hold fires once per branch: report each match once
            return sorted(set(self._hits))

    def _session(self, internal: str, ruleset: str, checked: list[dict[str, Any]]) -> None:
        """One durable-rules session: sentinel first, facts one at a time, always deleted."""
        sid = uuid.uuid4().hex
        try:
            self._host.post(internal, {"sid": sid, "id": "freechoice-sentinel", _SENTINEL_FIELD: True})
            for fact in checked:
                message = dict(fact)
                message["sid"] = sid
                message[_ANCHOR_FIELD] = True
                try:
                    self._host.assert_fact(internal, message)
                except _engine.MessageNotHandledException:
                    continue
            state = self._host.get_state(internal, sid)
            if state and state.get("exception"):
                self._failure.append(str(state["exception"]))
        except (ValidationFailed, RuleError):
            raise
        except _engine.MessageObservedException as err:
            raise RuleEngineError(f"durable-rules saw the same fact twice: {err}") from None
        except Exception as err:
            raise RuleEngineError(f"durable-rules failed in ruleset {ruleset!r}: {err}") from err
        finally:
            try:
                self._host.delete_state(internal, sid)
            except Exception:  # noqa: BLE001 - nothing more to free
                pass


def dump_pattern(pattern: Mapping[str, Any]) -> str:
    """A pattern as durable-rules sees it (for error messages and debugging)."""
    return json.dumps(pattern, ensure_ascii=False, sort_keys=True)
