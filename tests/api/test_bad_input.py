"""Input that used to reach the database or the serialiser and answer 500: each class is
refused with a 422 problem naming the field (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import copy

import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item

SERVICE = {
    "id": "svc-bad-input-probe",
    "organization_id": PARTNER_X,
    "name": "Probe service (fictional)",
    "kinds": ["legal_aid.wage_claim"],
    "service_areas": [{"country": "TH"}],
}


def _fields(r) -> dict[str, dict]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["request_id"] == r.headers["x-request-id"]
    return {e["field"]: e for e in body["errors"]}


def _raw(world, method, path, text: str, who="cw_a", **headers):
    return world.client.request(
        method,
        path,
        content=text.encode("utf-8", "surrogatepass"),
        headers={**world.as_(who), "Content-Type": "application/json", **headers},
    )


def test_nul_bytes_are_refused_in_body_query_and_path(world):
    body = copy.deepcopy(ASSESSMENT)
    body["situation"]["location"]["area"] = "Song\x00khla"
    errors = _fields(world.client.post("/option-lists", json=body, headers=world.as_("cw_a")))
    assert "NUL" in errors["situation.location.area"]["message"]
    errors = _fields(world.client.get("/option-lists", params={"client_ref": "c-\x001"}, headers=world.as_("cw_a")))
    assert "query.client_ref" in errors
    errors = _fields(world.client.get("/services/svc%00x", headers=world.as_("admin")))
    assert "path" in errors
    # a lone surrogate cannot be stored either
    text = (
        '{"client_ref": "c-1", "needs": {"food": 4}, "situation": {"location": {"country": "TH", "area": "\\ud800"}}}'
    )
    assert "situation.location.area" in _fields(_raw(world, "POST", "/option-lists", text))


def test_a_client_ref_longer_than_its_column_is_refused(world):
    long_ref = "c" * 65
    errors = _fields(world.client.get("/option-lists", params={"client_ref": long_ref}, headers=world.as_("cw_a")))
    assert "query.client_ref" in errors
    errors = _fields(world.client.get("/audit", params={"client_ref": long_ref}, headers=world.as_("admin")))
    assert "query.client_ref" in errors
    body = {**ASSESSMENT, "client_ref": long_ref}
    assert "client_ref" in _fields(world.client.post("/option-lists", json=body, headers=world.as_("cw_a")))


def test_integers_past_64_bits_are_refused_in_query_and_body(world):
    huge = 2**70
    for path, name in [
        ("/hsds/services", "page"),
        ("/hsds/taxonomy_terms", "page"),
        ("/services", "limit"),
        ("/audit", "limit"),
    ]:
        errors = _fields(world.client.get(path, params={name: huge}, headers=world.as_("admin")))
        assert f"query.{name}" in errors, (path, errors)
    svc = world.client.get("/services/svc-songkhla-wage-claim", headers=world.as_("partner_x"))
    r = world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "open", "available": huge},
        headers={**world.as_("partner_x"), "If-Match": svc.headers["etag"]},
    )
    errors = _fields(r)
    assert "available" in errors and "64 bits" in errors["available"]["message"]
    # within 64 bits but past the declared maximum: still a named 422
    r = world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "open", "available": 2**62},
        headers={**world.as_("partner_x"), "If-Match": svc.headers["etag"]},
    )
    assert "available" in _fields(r)


def test_dates_at_the_calendars_edge(world):
    for params in ({"until": "9999-12-31"}, {"since": "0001-01-01", "until": "9999-12-31"}):
        r = world.client.get("/kpis", params=params, headers=world.as_("cw_a"))
        assert r.status_code == 200, r.text
    r = world.client.get("/audit", params={"since": "0001-01-01T00:00:00+01:00"}, headers=world.as_("admin"))
    assert "query.since" in _fields(r)
    r = world.client.get("/audit", params={"until": "9999-12-31T23:59:59-01:00"}, headers=world.as_("admin"))
    assert "query.until" in _fields(r)
    r = world.client.get(
        "/audit", params={"since": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}, headers=world.as_("admin")
    )
    assert r.status_code == 200, r.text
    r = world.client.get(
        "/hsds/services", params={"modified_after": "0001-01-01T00:00:00+14:00"}, headers=world.as_("admin")
    )
    assert "query.modified_after" in _fields(r)
    # a capacity "full until the end of time" is stored and matching still works
    svc = world.client.get("/services/svc-songkhla-wage-claim", headers=world.as_("partner_x"))
    r = world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "waitlist", "until": "9999-12-31"},
        headers={**world.as_("partner_x"), "If-Match": svc.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    assert world.client.post("/option-lists", json=ASSESSMENT, headers=world.as_("cw_a")).status_code == 201
    world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "open"},
        headers={**world.as_("partner_x"), "If-Match": r.headers["etag"]},
    )


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_infinite_and_nan_numbers_are_refused(world, number):
    text = (
        f'{{"id": "svc-nan", "organization_id": "{PARTNER_X}", "name": "NaN probe (fictional)", '
        f'"kinds": ["legal_aid.wage_claim"], "location": {{"country": "TH", "latitude": {number}}}}}'
    )
    errors = _fields(_raw(world, "POST", "/services", text, who="partner_x"))
    assert "location.latitude" in errors and "finite" in errors["location.latitude"]["message"]
    assert world.client.get("/services/svc-nan", headers=world.as_("admin")).status_code == 404


def test_duplicate_keys_are_refused_never_last_wins(world):
    before = len(every_item(world.client, "/keys", headers=world.as_("admin")))
    text = '{"organization_id": "org-cw-a", "role": "caseworker", "role": "admin"}'
    errors = _fields(_raw(world, "POST", "/keys", text, who="admin"))
    assert "more than once" in errors["role"]["message"]
    assert len(every_item(world.client, "/keys", headers=world.as_("admin"))) == before
    nested = '{"client_ref": "c-dup", "needs": {"food": 1, "food": 4}, "situation": {"location": {"country": "TH"}}}'
    assert "needs.food" in _fields(_raw(world, "POST", "/option-lists", nested))


@pytest.mark.parametrize("priority", [True, False, 4.0, 3.5, "4"])
def test_priorities_are_whole_numbers(world, priority):
    body = copy.deepcopy(ASSESSMENT)
    body["needs"]["housing"] = priority
    errors = _fields(world.client.post("/option-lists", json=body, headers=world.as_("cw_a")))
    assert "needs.housing" in errors and errors["needs.housing"]["allowed"] == ["1", "2", "3", "4"]


def test_other_counts_are_whole_numbers_too(world):
    body = copy.deepcopy(ASSESSMENT)
    body["situation"]["age"] = 29.0
    assert "situation.age" in _fields(world.client.post("/option-lists", json=body, headers=world.as_("cw_a")))
    r = world.client.post("/feedback", json={"need_met": "yes", "satisfaction": True}, headers=world.as_("cw_a"))
    assert "satisfaction" in _fields(r)


def test_long_texts_are_bounded_and_the_bounds_are_in_the_schema(world):
    r = world.client.post("/services", json={**SERVICE, "description": "x" * 900_000}, headers=world.as_("partner_x"))
    assert "description" in _fields(r)
    r = world.client.post(
        "/organizations",
        json={"id": "org-long", "name": "Long (fictional)", "description": "y" * 20_000},
        headers=world.as_("admin"),
    )
    assert "description" in _fields(r)
    body = copy.deepcopy(ASSESSMENT)
    body["situation"]["location"]["area"] = "z" * 5000
    assert "situation.location.area" in _fields(
        world.client.post("/option-lists", json=body, headers=world.as_("cw_a"))
    )
    schemas = world.client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Service"]["properties"]["description"]["maxLength"] == 10_000
    assert schemas["Organization"]["properties"]["description"]["maxLength"] == 10_000
    assert schemas["CapacityUpdate"]["properties"]["available"]["anyOf"][0]["maximum"] == 1_000_000_000
    # a valid service still goes in
    assert world.client.post("/services", json=SERVICE, headers=world.as_("partner_x")).status_code == 201


def _unbounded(node, path: str, defs: dict, seen: frozenset, out: list[str]) -> None:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            _unbounded(defs[name], f"{path}<{name}>", defs, seen | {name}, out)
        return
    kind = node.get("type")
    if kind == "string" and not {"maxLength", "enum", "const", "format"} & set(node):
        out.append(f"{path}: string without maxLength")
    if kind == "integer" and not {"maximum", "exclusiveMaximum", "enum", "const"} & set(node):
        out.append(f"{path}: integer without maximum")
    if kind == "array" and "maxItems" not in node:
        out.append(f"{path}: array without maxItems")
    for name, sub in (node.get("properties") or {}).items():
        _unbounded(sub, f"{path}.{name}", defs, seen, out)
    for key in ("items", "additionalProperties"):
        _unbounded(node.get(key), f"{path}[]", defs, seen, out)
    for sub in node.get("anyOf", []) + node.get("oneOf", []) + node.get("allOf", []):
        _unbounded(sub, path, defs, seen, out)


def test_every_input_is_bounded_in_the_schema(world):
    """Every string, integer and list a caller can send declares its bound in the
    OpenAPI document (headers aside: the server bounds those)."""
    doc = world.client.get("/openapi.json").json()
    defs = doc["components"]["schemas"]
    found: list[str] = []
    for route, operations in doc["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["in"] != "header":
                    _unbounded(
                        param["schema"],
                        f"{method.upper()} {route} {param['in']}.{param['name']}",
                        defs,
                        frozenset(),
                        found,
                    )
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            _unbounded(body, f"{method.upper()} {route} body", defs, frozenset(), found)
    assert not found, "\n".join(found)


def test_idempotency_keys_are_bounded_and_a_long_one_still_replays(world):
    too_long = {**world.as_("cw_a"), "Idempotency-Key": "k" * 129}
    r = world.client.post("/option-lists", json=ASSESSMENT, headers=too_long)
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"  # the draft's answer
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    longest = {**world.as_("cw_a"), "Idempotency-Key": "k" * 128}
    first = world.client.post("/option-lists", json=ASSESSMENT, headers=longest)
    again = world.client.post("/option-lists", json=ASSESSMENT, headers=longest)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("depth", [41, 900, 990, 5000])
def test_deeply_nested_json_is_refused(world, depth):
    hsds = "[" * depth + "]" * depth
    r = _raw(world, "POST", "/hsds/import", hsds, who="admin")
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith("application/problem+json"), r.text
    if r.status_code == 422:
        assert "nested more than 40 levels" in r.json()["errors"][0]["message"]
    pack = '{"pack": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    r = _raw(world, "POST", "/rules/validate", pack, who="admin")
    assert r.status_code in (400, 422), r.text
