"""Schemathesis over the app's own OpenAPI document, every role, both databases: whatever
the generated input, valid or not, the service answers without a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

ROLES = (None, "admin", "cw_a", "partner_x")
EXAMPLES = 5  # per operation and mode: bounded and derandomized, so every run sends the same cases


def test_no_server_errors_for_any_input_or_role(world):
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                for role in ROLES:
                    try:
                        response = case.call(headers=world.as_(role) if role else {})
                    except Exception as err:  # noqa: BLE001 - an exception escaping the app is a server error too
                        failures.append(f"{case.method} {case.formatted_path} as {role}: {err!r}")
                        continue
                    if response.status_code >= 500:
                        failures.append(f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
                                        f"{case.as_curl_command()}\n  {response.text[:300]}")

            try:
                run()
            except Unsatisfiable:
                pass  # no invalid input exists for this operation (nothing to break)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])
