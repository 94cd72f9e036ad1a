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
    assert document["paths"]["/health"]["get"]["security"] == []  # no key, and the document says so


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


def _resolver_schemas(document):
    import json

    return json.loads(json.dumps(document["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))


def _examples(document):
    """Every example in the document with the schema it illustrates: schemas' own
    ``examples`` (components and every nested property), media types' and parameters'."""
    import json

    refs = json.loads(json.dumps(document).replace("#/components/schemas/", "#/$defs/"))

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("examples"), list) and ("type" in node or "properties" in node or "$ref" in node):
                for example in node["examples"]:
                    yield where, {k: v for k, v in node.items() if k != "examples"}, example
            for key, value in node.items():
                if key != "examples":
                    yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}/{i}")

    yield from walk(refs["components"]["schemas"], "#/components/schemas")
    for path, item in refs["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if "example" in parameter:
                    yield f"{method} {path} {parameter['name']}", parameter["schema"], parameter["example"]
            bodies = [operation.get("requestBody", {})] + list(operation["responses"].values())
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "example" in media:
                        yield f"{method} {path}", media["schema"], media["example"]
                    for named in media.get("examples", {}).values():
                        yield f"{method} {path}", media["schema"], named["value"]
            yield from walk(operation, f"{method} {path}")


def test_every_example_in_the_document_fits_its_schema(document):
    from jsonschema import Draft202012Validator, FormatChecker

    defs = _resolver_schemas(document)
    seen = 0
    for where, schema, example in _examples(document):
        validator = Draft202012Validator({**schema, "$defs": defs}, format_checker=FormatChecker())
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
        assert not errors, (where, errors)
        seen += 1
    assert seen > 40  # the walk does find them


def _json_body(document, response):
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_json_response_is_a_named_schema_with_examples(document):
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("2") and "content" in response and "application/json" in response["content"]:
                schema = response["content"]["application/json"]["schema"]
                assert "$ref" in schema, (method, path, code, schema)  # a resource in components, not a bare dict
                assert _json_body(document, response).get("examples"), (method, path, code)


LISTS = [
    "/services",
    "/organizations",
    "/referrals",
    "/option-lists",
    "/audit",
    "/keys",
    "/services/{service_id}/versions",
    "/feedback",
    "/rules/versions",
    "/webhooks",
    "/webhooks/{subscription_id}/deliveries",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_the_one_page_shape(document, path):
    operation = document["paths"][path]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["limit"]["schema"]["minimum"] == 1 and params["limit"]["schema"]["maximum"] == 500
    cursor = next(s for s in params["cursor"]["schema"]["anyOf"] if s["type"] == "string")
    assert cursor["maxLength"] == 512 and "offset" not in params
    page = _json_body(document, operation["responses"]["200"])
    assert set(page["properties"]) == {"items", "next"} and page["required"] == ["items", "next"]
    assert "Link" in operation["responses"]["200"]["headers"]
    events = _json_body(document, document["paths"]["/events"]["get"]["responses"]["200"])
    assert set(events["properties"]) == {"items", "next"}  # the feed has the same envelope


@pytest.mark.parametrize(
    "url, who",
    [
        ("/services", "admin"),
        ("/organizations", "admin"),
        ("/referrals", "cw_a"),
        ("/option-lists", "cw_a"),
        ("/audit", "admin"),
        ("/keys", "admin"),
    ],
)
def test_every_list_pages_through_each_item_once_in_order(world, url, who):
    _created(world)  # at least a referral and two option lists
    _created(world)
    headers = world.as_(who)
    whole = world.client.get(url, params={"limit": 500}, headers=headers).json()
    assert whole["next"] is None or url == "/audit"
    paged = every_item(world.client, f"{url}?limit=2", headers=headers)
    if url == "/audit":  # the log grows as it is read (reads of client data are audited)
        assert len(paged) >= 2
        assert [e["id"] for e in paged] == sorted((e["id"] for e in paged), reverse=True)
        return
    assert [item["id"] for item in paged] == [item["id"] for item in whole["items"]]
    assert len({item["id"] for item in paged}) == len(paged) >= 2


@pytest.mark.parametrize(
    "cursor, message",
    [
        ("not-base64!", "query.cursor"),
        ("bm9wZQ", "not a cursor"),  # base64 of "nope"
        ("WyJrZXlzIiwiMjAyNi0wMS0wMSIsImsiXQ", "not a cursor of this list"),  # another list's
        ("WyJzZXJ2aWNlcyIsMV0", "damaged"),  # this list's name, a number for an id
        ("WyJzZXJ2aWNlcyJd", "not a cursor of this list"),  # no position
    ],
)
def test_a_bad_cursor_is_a_422_naming_the_field(world, cursor, message):
    r = world.client.get("/services", params={"cursor": cursor}, headers=world.as_("admin"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    error = r.json()["errors"][0]
    assert error["field"] == "query.cursor"
    assert message in error["field"] + " " + error["message"]


def test_the_old_offset_is_refused_not_ignored(world):
    r = world.client.get("/referrals?offset=5", headers=world.as_("cw_a"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.offset"


def test_a_next_link_keeps_the_filters_and_the_limit(world):
    from urllib.parse import parse_qs, urlsplit

    first = world.client.get("/services?status=active&limit=3", headers=world.as_("admin")).json()
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["status"] == ["active"] and query["limit"] == ["3"] and query["cursor"]
    # the cursor belongs to its list: on another list it is a 422, not a wrong page
    bad = world.client.get("/organizations", params={"cursor": query["cursor"][0]}, headers=world.as_("admin"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.cursor"


def test_listing_services_reads_only_the_page_from_the_database(world):
    from sqlalchemy import event

    engine = world.client.app.state.freechoice.db.engine
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM services" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in ("/services?limit=100", "/services?limit=5&kind=legal_aid.wage_claim&status=active"):
            seen.clear()
            page = world.client.get(url, headers=world.as_("admin")).json()
            assert page["items"] and seen
            for statement, parameters in seen:  # one bounded read: LIMIT page + 1, never the whole table
                assert "LIMIT" in statement, statement
                values = parameters.values() if isinstance(parameters, dict) else parameters
                assert len(page["items"]) + 1 in values or int(url.split("limit=")[1].split("&")[0]) + 1 in values
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_every_request_body_has_examples(document):
    for path, method, operation in _operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        for media in content.values():
            schema = media["schema"]
            if "$ref" in schema:  # the HSDS import takes any HSDS document: no schema of ours
                assert document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]].get("examples"), (
                    method,
                    path,
                )
