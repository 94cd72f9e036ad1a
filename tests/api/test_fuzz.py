"""Schemathesis over the app's own OpenAPI document, on SQLite and PostgreSQL: whatever
the generated input, valid or not, sent anonymously or with any role's key, to made-up
ids or to real objects, the service answers without a server error.

Deterministic and bounded: hypothesis is derandomized and each operation gets a fixed
number of cases per mode, so every run sends the same requests."""

from __future__ import annotations

import schemathesis
from api_support import ASSESSMENT, PARTNER_X
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from freechoice.catalog.hsds.vocabulary import kind_term

ROLES = (None, "admin", "cw_a", "partner_x")
# what the document promises: every status sent is documented, with the media type and
# the schema it names
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 8  # per operation and mode; the role is drawn with the case


def _real_ids(world) -> dict[str, str]:
    """Objects that exist, so the fuzz also reaches the code behind a found id."""
    cw = world.as_("cw_a")
    ol = world.client.post("/option-lists", json=ASSESSMENT, headers=cw).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o["provider_id"] == PARTNER_X)
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    ).json()
    ref = choice["referrals"][0]["id"]
    world.client.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=cw)
    keys = world.client.get("/keys", headers=world.as_("admin")).json()["items"]
    cash_list = world.client.post("/option-lists", json=ASSESSMENT | {"client_ref": "c-fuzz-cash"}, headers=cw).json()
    world.client.post(f"/option-lists/{cash_list['id']}/choices", json={"option_ids": ["cash"]}, headers=cw)
    transfers = world.client.get("/clients/c-fuzz-cash/transfers", headers=cw).json()["transfers"]
    return {
        "client_ref": "c-fuzz-cash",
        "transfer_id": transfers[0]["id"],
        "list_id": ol["id"],
        "choice_id": choice["id"],
        "ref_id": ref,
        "service_id": option["service_id"],
        "org_id": PARTNER_X,
        "key_id": keys[-1]["id"],
        "term_id": kind_term("legal_aid.wage_claim"),
        "taxonomy_id": "freechoice",
    }


def test_no_server_errors_or_schema_violations_for_any_input_or_role(world):
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    real = _real_ids(world)
    failures: list[str] = []
    violations: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        passes = [None] + ([{n: real[n] for n in names}] if names and names <= set(real) else [])
        for path_parameters in passes:
            # invalid input needs something to make invalid (headers aside: the keys are ours)
            negatable = bool(list(operation.query) or list(operation.body) or (names and not path_parameters))
            modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if negatable else (GenerationMode.POSITIVE,)
            for mode in modes:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

                @given(case=strategy, role=st.sampled_from(ROLES))
                @settings(
                    max_examples=EXAMPLES,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def run(case, role):
                    try:
                        response = case.call(headers=world.as_(role) if role else {})
                    except Exception as err:  # noqa: BLE001 - an exception escaping the app is a server error too
                        failures.append(f"{case.method} {case.formatted_path} as {role}: {err!r}")
                        return
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                            f"{case.as_curl_command()}\n  {response.text[:300]}"
                        )
                    try:
                        case.validate_response(response, checks=CONFORMANCE)
                    except FailureGroup as err:
                        violations.append(
                            f"{case.method} {case.formatted_path} as {role}: {response.status_code} {str(err)[:300]}"
                        )

                try:
                    run()
                except Unsatisfiable:
                    pass  # no invalid input exists for this part of the operation
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
    assert not violations, f"{len(violations)} schema violations:\n" + "\n".join(violations[:40])
