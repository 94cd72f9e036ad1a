"""Role x endpoint x someone else's object: nothing leaks.

Wrong key: 401. Right key, wrong role: 403. Right key, someone else's object: 404
(existence is not revealed). No response to an outsider carries the client's reference.
"""

from __future__ import annotations

import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item


@pytest.fixture(scope="module")
def objects(world):
    c = world.client
    ol = c.post("/option-lists", json=ASSESSMENT | {"client_ref": "c-secret-a"}, headers=world.as_("cw_a")).json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    choice = c.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=world.as_("cw_a")
    ).json()
    ref = choice["referrals"][0]["id"]
    c.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=world.as_("cw_a"))
    hook = c.post("/webhooks", json={"url": "http://127.0.0.1:9/in"}, headers=world.as_("cw_a")).json()
    delivery = c.post(f"/webhooks/{hook['id']}/test", headers=world.as_("cw_a")).json()
    # the same client also chose cash (issue 12): a transfer schedule, a plan, a follow-up
    cash_list = c.post(
        "/option-lists", json=ASSESSMENT | {"client_ref": "c-secret-a"}, headers=world.as_("cw_a")
    ).json()
    c.post(
        f"/option-lists/{cash_list['id']}/choices",
        json={"option_ids": ["cash"], "spending_plan": [{"need": "housing", "amount": 100}]},
        headers=world.as_("cw_a"),
    )
    transfer = c.get("/clients/c-secret-a/transfers", headers=world.as_("cw_a")).json()["transfers"][0]["id"]
    c.post("/clients/c-secret-a/follow-ups", json={"on": "2026-01-01", "words": "fine"}, headers=world.as_("cw_a"))
    service = c.get("/services", headers=world.as_("partner_x")).json()["items"][0]
    body = {k: v for k, v in service.items() if k not in ("version", "updated_at", "updated_by")}
    return {
        "ol": ol["id"],
        "choice": choice["id"],
        "ref": ref,
        "service": service["id"],
        "service_body": body,
        "assessment": ol["assessment_id"],
        "hook": hook["id"],
        "delivery": delivery["id"],
        "transfer": transfer,
    }


def requests(o):
    """(name, method, path, json) for every endpoint, aimed at cw_a's / partner_x's objects."""
    return [
        ("get option list", "GET", f"/option-lists/{o['ol']}", None),
        ("option list in words", "GET", f"/option-lists/{o['ol']}/text?lang=my", None),
        ("list option lists", "GET", "/option-lists?client_ref=c-secret-a", None),
        ("create option list", "POST", "/option-lists", ASSESSMENT),
        ("choose", "POST", f"/option-lists/{o['ol']}/choices", {"option_ids": []}),
        ("get choice", "GET", f"/choices/{o['choice']}", None),
        ("get referral", "GET", f"/referrals/{o['ref']}", None),
        ("list referrals", "GET", "/referrals", None),
        ("move referral", "POST", f"/referrals/{o['ref']}/transitions", {"to": "closed", "reason": "test"}),
        ("feedback on referral", "POST", "/feedback", {"referral_id": o["ref"], "need_met": "no", "satisfaction": 1}),
        ("feedback code", "POST", f"/referrals/{o['ref']}/feedback-token", None),
        ("activate organization", "POST", "/organizations/org-cw-a/activate", None),  # already active: a no-op
        ("kpis of cw_a", "GET", "/kpis?organization_id=org-cw-a", None),
        ("figures of cw_a", "GET", "/kpis/figures?organization_id=org-cw-a", None),
        ("client transfers", "GET", "/clients/c-secret-a/transfers", None),
        ("make transfer schedule", "POST", "/clients/c-secret-a/transfers", {}),
        (
            "pay transfer",
            "POST",
            f"/transfers/{o['transfer']}/payments",
            {"paid_on": "2026-01-01", "amount": "1", "reference": "x"},
        ),
        ("transfer board", "GET", "/transfers", None),
        ("get spending plan", "GET", "/clients/c-secret-a/spending-plan", None),
        ("spending plan history", "GET", "/clients/c-secret-a/spending-plan/history", None),
        ("save spending plan", "PUT", "/clients/c-secret-a/spending-plan", {"lines": []}),
        ("record follow-up", "POST", "/clients/c-secret-a/follow-ups", {"on": "2026-01-01"}),
        ("list follow-ups", "GET", "/clients/c-secret-a/follow-ups", None),
        ("follow-ups due", "GET", "/follow-ups/due", None),
        ("journey", "GET", "/clients/c-secret-a/journey", None),
        ("donor report of cw_a", "GET", "/reports/donor?from=2020-01-01&to=2040-01-01&organization_id=org-cw-a", None),
        ("get service", "GET", f"/services/{o['service']}", None),
        ("update service", "PUT", f"/services/{o['service']}", o["service_body"]),
        ("deactivate service", "POST", f"/services/{o['service']}/deactivate", None),
        ("audit", "GET", "/audit", None),
        ("create key", "POST", "/keys", {"organization_id": "org-cw-a", "role": "admin"}),
        ("list keys", "GET", "/keys", None),
        ("create webhook", "POST", "/webhooks", {"url": "https://cases.example.org/in"}),
        ("list webhooks", "GET", "/webhooks", None),
        ("get webhook", "GET", f"/webhooks/{o['hook']}", None),
        ("test webhook", "POST", f"/webhooks/{o['hook']}/test", None),
        ("webhook deliveries", "GET", f"/webhooks/{o['hook']}/deliveries", None),
        ("retry delivery", "POST", f"/webhooks/{o['hook']}/deliveries/{o['delivery']}/retry", None),
        ("delete webhook", "DELETE", f"/webhooks/{o['hook']}", None),
        ("activate rules", "POST", "/rules/activate", {"pack": {"pack": "Not Valid", "rules": []}}),
        (
            "dry-run rules",
            "POST",
            "/rules/dry-run",
            {"pack": {"pack": "Not Valid", "rules": []}, "assessment_id": o["assessment"]},
        ),
    ]


# webhook subscriptions belong to an organisation and its side (caseworker or partner):
# anyone else's answer 404; an admin key manages none (403)
WEBHOOKS_OF_ANOTHER = {
    **{f"{verb} webhook": 404 for verb in ("get", "test", "delete")},
    "webhook deliveries": 404,
    "retry delivery": 404,
    "create webhook": 201,
    "list webhooks": 200,
}
# caller -> request name -> expected status (requests not listed: 403, wrong role)
EXPECTED = {
    "cw_b": {  # another organisation's caseworker
        "get option list": 404,
        "option list in words": 404,
        "list option lists": 200,
        "create option list": 201,
        "choose": 404,
        "get choice": 404,
        "get referral": 404,
        "list referrals": 200,
        "move referral": 404,
        "feedback on referral": 404,
        "feedback code": 404,
        "kpis of cw_a": 404,
        "figures of cw_a": 404,
        "get service": 200,
        **WEBHOOKS_OF_ANOTHER,
        "client transfers": 404,
        "make transfer schedule": 404,
        "pay transfer": 404,
        "transfer board": 200,  # their own organisation's: empty
        "get spending plan": 404,
        "spending plan history": 404,
        "save spending plan": 404,
        "record follow-up": 404,
        "list follow-ups": 404,
        "follow-ups due": 200,
        "journey": 404,
        "donor report of cw_a": 404,
    },
    "partner_y": {  # a partner the referral was not sent to
        **WEBHOOKS_OF_ANOTHER,
        "get referral": 404,
        "list referrals": 200,
        "move referral": 404,
        "get service": 404,
        "update service": 404,
        "deactivate service": 404,
    },
    "partner_x": {  # the receiving partner: may see the referral (consented fields only), not the list or choice
        **WEBHOOKS_OF_ANOTHER,  # the caseworkers' subscription is theirs, even for its receiving partner
        "get referral": 200,
        "list referrals": 200,
        "move referral": 409,
        "get service": 200,
        "update service": 428,
        "deactivate service": 428,  # its own service: allowed, but If-Match is required
    },
    "admin": {
        "kpis of cw_a": 200,
        "figures of cw_a": 200,
        "donor report of cw_a": 200,  # anonymised: no client reference in it
        "audit": 200,
        "create key": 201,
        "list keys": 200,
        "get service": 200,
        "activate organization": 200,
        "activate rules": 422,
        "dry-run rules": 422,
        "update service": 428,
        "deactivate service": 428,
    },
}
CALLERS = sorted(EXPECTED)


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(world, objects, caller):
    failures = []
    for name, method, path, body in requests(objects):
        r = world.client.request(method, path, json=body, headers=world.as_(caller))
        want = EXPECTED[caller].get(name, 403)
        if r.status_code != want:
            failures.append(f"{caller} {name}: {r.status_code} (expected {want}) {r.text[:160]}")
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), (caller, name)
        if caller != "partner_x" and name != "create option list" and (caller, name) != ("admin", "audit"):
            assert "c-secret-a" not in r.text, f"{caller} {name} leaked the client reference"
    assert not failures, "\n".join(failures)


def test_partner_sees_only_consented_fields(world, objects):
    seen = world.client.get(f"/referrals/{objects['ref']}", headers=world.as_("partner_x")).json()
    assert seen["client"] == {"client_ref": "c-secret-a", "need": "compensation"}
    assert "documents" not in str(seen["client"]) and "nationality" not in seen["client"]


@pytest.mark.parametrize(
    "header",
    [
        {},
        {"Authorization": "Bearer fc_nope_nope"},
        {"Authorization": "Bearer rubbish"},
        {"X-API-Key": "fc_123456789abc_wrong"},
    ],
)
def test_wrong_or_missing_key_is_401_everywhere(world, objects, header):
    for name, method, path, body in requests(objects):
        r = world.client.request(method, path, json=body, headers=header)
        assert r.status_code == 401, (name, r.status_code)
        assert "c-secret-a" not in r.text


def test_revoked_key_stops_working(world):
    created = world.client.post(
        "/keys", json={"organization_id": "org-cw-a", "role": "caseworker"}, headers=world.as_("admin")
    ).json()
    token = created["key"]
    assert world.client.get("/referrals", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    keys = every_item(world.client, "/keys", headers=world.as_("admin"))
    assert all("key" not in k and "secret" not in str(k) for k in keys)
    assert world.client.delete(f"/keys/{created['id']}", headers=world.as_("admin")).status_code == 204
    assert world.client.get("/referrals", headers={"Authorization": f"Bearer {token}"}).status_code == 401
