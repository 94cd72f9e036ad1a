"""The OpenAPI contract as an integrator's generated client reads it: the document
validates, the API key is a declared security scheme that the server really honours,
and what the document promises is what the server sends."""

from __future__ import annotations

import pytest
from api_support import ASSESSMENT, every_item
from openapi_spec_validator import validate

AUTH_HEADERS = {"authorization", "x-api-key"}


@pytest.fixture(scope="module")
def document(world):
    r = world.client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_document_validates(document):
    validate(document)  # openapi-spec-validator raises, naming the first problem
    assert document["openapi"].startswith("3.") and document["paths"]


def test_the_key_is_a_bearer_scheme_not_header_parameters(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    for path, method, operation in _operations(document):
        names = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
        assert not names & AUTH_HEADERS, (method, path, names)


def test_operations_needing_a_key_declare_it_and_optional_ones_say_so(document):
    assert document["paths"]["/referrals"]["get"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert document["paths"]["/option-lists"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    # a client's feedback code works without a key: "no security" is one of the alternatives
    assert {} in document["paths"]["/feedback"]["post"]["security"]
    assert "security" not in document["paths"]["/health"]["get"]


@pytest.mark.parametrize(
    "headers, error",
    [
        ({}, None),
        ({"Authorization": "Bearer fc_nope_nope"}, "invalid_token"),
        ({"X-API-Key": "fc_123456789abc_wrong"}, "invalid_token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, None),
    ],
)
def test_401_names_the_bearer_scheme(world, headers, error):
    r = world.client.get("/referrals", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    challenge = r.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert (f'error="{error}"' in challenge) == (error is not None)


@pytest.mark.parametrize("how", ["bearer", "x-api-key"])
def test_the_declared_schemes_both_work(world, how):
    token = world.keys["cw_a"]
    headers = {"Authorization": f"Bearer {token}"} if how == "bearer" else {"X-API-Key": token}
    r = world.client.post("/option-lists", json=ASSESSMENT, headers=headers)
    assert r.status_code == 201, r.text


def test_authorize_in_the_docs_uses_the_scheme(world, document):
    # Swagger UI's "Authorize" dialog lists the document's security schemes and sends the
    # chosen one with every operation that declares it
    assert "/openapi.json" in world.client.get("/docs").text
    assert document["paths"]["/option-lists/{list_id}"]["get"]["security"][0] == {"bearer": []}


def test_every_problem_status_is_documented_as_a_problem_document(document):
    assert {"Problem", "ProblemField"} <= set(document["components"]["schemas"])
    assert "HTTPValidationError" not in document["components"]["schemas"]  # FastAPI's shape is never sent
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert {"422", "500"} <= set(responses), (method, path)
        if operation.get("security"):
            assert "401" in responses and "WWW-Authenticate" in responses["401"]["headers"], (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (method, path)
        for code, response in responses.items():
            if int(code) >= 400:
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, code)
    assert {"412", "428"} <= set(document["paths"]["/services/{service_id}"]["put"]["responses"])
    assert "429" in document["paths"]["/feedback"]["post"]["responses"]
    assert "503" in document["paths"]["/readyz"]["get"]["responses"]


def _validator(document, name):
    """A JSON Schema validator for one component (its references resolved in place)."""
    import json

    from jsonschema import Draft202012Validator

    schemas = json.loads(json.dumps(document["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))
    return Draft202012Validator({**schemas[name], "$defs": schemas})


def test_the_problem_example_fits_its_schema(document):
    validator = _validator(document, "Problem")
    for example in document["components"]["schemas"]["Problem"]["examples"]:
        assert not list(validator.iter_errors(example))
    assert list(validator.iter_errors({"title": "x", "status": 422}))  # no detail: not a problem document


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_is_415(world, content_type):
    r = world.client.post(
        "/option-lists", content=b"client_ref=c-1", headers={**world.as_("cw_a"), "Content-Type": content_type}
    )
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["allowed"] == ["application/json"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_json_media_types_are_read(world, content_type):
    import json

    r = world.client.post(
        "/option-lists",
        content=json.dumps(ASSESSMENT).encode(),
        headers={**world.as_("cw_a"), "Content-Type": content_type},
    )
    assert r.status_code == 201, r.text


def test_the_main_flow_fits_the_documented_schemas(world, document):
    cw = world.as_("cw_a")
    created = world.client.post("/option-lists", json=ASSESSMENT, headers=cw)
    assert not list(_validator(document, "OptionList").iter_errors(created.json()))
    option = next(o for n in created.json()["needs"] for o in n["options"] if o.get("provider_id"))
    choice = world.client.post(
        f"/option-lists/{created.json()['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    )
    assert choice.status_code == 201 and not list(_validator(document, "ChoiceCreated").iter_errors(choice.json()))
    ref = world.client.get(f"/referrals/{choice.json()['referrals'][0]['id']}", headers=cw).json()
    assert not list(_validator(document, "Referral").iter_errors(ref))
    assert list(_validator(document, "Referral").iter_errors({**ref, "history": "none"}))  # the schema does check


def _created(world):
    cw = world.as_("cw_a")
    created = world.client.post("/option-lists", json=ASSESSMENT, headers=cw)
    option = next(o for n in created.json()["needs"] for o in n["options"] if o.get("provider_id"))
    choice = world.client.post(
        f"/option-lists/{created.json()['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    )
    return created, choice


def test_every_201_says_where_the_new_resource_is(world, document):
    created, choice = _created(world)
    assert created.headers["location"] == f"/option-lists/{created.json()['id']}"
    assert world.client.get(created.headers["location"], headers=world.as_("cw_a")).json() == created.json()
    assert choice.headers["location"] == f"/choices/{choice.json()['id']}"
    assert world.client.get(choice.headers["location"], headers=world.as_("cw_a")).status_code == 200
    org = world.client.post(
        "/organizations", json={"id": "org-located", "name": "Located (fictional)"}, headers=world.as_("admin")
    )
    assert org.status_code == 201 and org.headers["location"] == "/organizations/org-located"
    key = world.client.post(
        "/keys", json={"organization_id": "org-located", "role": "partner"}, headers=world.as_("admin")
    )
    assert key.headers["location"] == f"/keys/{key.json()['id']}"
    assert "Location" in document["paths"]["/option-lists"]["post"]["responses"]["201"]["headers"]


def test_a_replayed_create_names_the_same_location(world):
    headers = {**world.as_("cw_a"), "Idempotency-Key": "contract-location-1"}
    first = world.client.post("/option-lists", json=ASSESSMENT, headers=headers)
    again = world.client.post("/option-lists", json=ASSESSMENT, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"] == f"/option-lists/{first.json()['id']}"


def test_an_option_list_is_read_again_as_304_with_its_etag(world):
    created, _ = _created(world)
    url, cw = created.headers["location"], world.as_("cw_a")
    first = world.client.get(url, headers=cw)
    etag = first.headers["etag"]
    assert etag == f'"{created.json()["id"]}"'
    again = world.client.get(url, headers={**cw, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert world.client.get(url, headers={**cw, "If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert world.client.get(url, headers={**cw, "If-None-Match": '"ol-other"'}).status_code == 200
    # the ETag does not reveal another organisation's list
    assert world.client.get(url, headers={**world.as_("cw_b"), "If-None-Match": etag}).status_code == 404


def test_a_service_is_304_until_it_changes(world):
    sid = world.client.get("/services?limit=1", headers=world.as_("admin")).json()["items"][0]["id"]
    first = world.client.get(f"/services/{sid}", headers=world.as_("admin"))
    etag = first.headers["etag"]
    assert (
        world.client.get(f"/services/{sid}", headers={**world.as_("admin"), "If-None-Match": etag}).status_code == 304
    )
    body = {k: v for k, v in first.json().items() if k not in ("version", "updated_at", "updated_by")}
    changed = world.client.put(
        f"/services/{sid}",
        json={**body, "name": body["name"] + " (renamed)"},
        headers={**world.as_("admin"), "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert (
        world.client.get(f"/services/{sid}", headers={**world.as_("admin"), "If-None-Match": etag}).status_code == 200
    )


def test_timestamps_are_rfc3339_with_offset(world):
    import datetime as dt

    _, choice = _created(world)
    cw = world.as_("cw_a")
    ref = world.client.get(f"/referrals/{choice.json()['referrals'][0]['id']}", headers=cw).json()
    listed = world.client.get("/option-lists?limit=1", headers=cw).json()["items"][0]
    stamps = [
        ref["created_at"],
        ref["updated_at"],
        ref["history"][0]["at"],
        listed["created_at"],
        world.client.get(choice.headers["location"], headers=cw).json()["created_at"],
    ]
    for stamp in stamps:
        assert dt.datetime.fromisoformat(stamp).utcoffset() == dt.timedelta(0), stamp


def test_referrals_modified_since(world):
    import datetime as dt

    cw = world.as_("cw_a")
    _, choice = _created(world)
    ref_id = choice.json()["referrals"][0]["id"]
    changed = world.client.get(f"/referrals/{ref_id}", headers=cw).json()["updated_at"]
    since = every_item(world.client, "/referrals", params={"modified_since": changed, "limit": 500}, headers=cw)
    assert ref_id in [r["id"] for r in since]
    assert all(r["updated_at"] >= changed for r in since)
    later = (dt.datetime.fromisoformat(changed) + dt.timedelta(seconds=1)).isoformat()
    assert ref_id not in [
        r["id"]
        for r in every_item(world.client, "/referrals", params={"modified_since": later, "limit": 500}, headers=cw)
    ]
    bad = world.client.get("/referrals", params={"modified_since": "yesterday"}, headers=cw)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.modified_since"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_work_offline(world, page):
    import re

    r = world.client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", r.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # only the app's own paths
    assert "http://" not in r.text and "https://" not in r.text.replace("https://github.com", "")
    for url in urls:
        asset = world.client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    assert "/openapi.json" in urls
