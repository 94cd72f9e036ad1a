"""GET /kpis/figures: the dashboard's figures over HTTP, small groups hidden."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT

from freechoice.api.routes.figures import Figures


def _figures(world, who="cw_b", **params):
    r = world.client.get("/kpis/figures", params=params, headers=world.as_(who))
    assert r.status_code == 200, r.text
    Figures.model_validate(r.json())  # the documented shape
    return r.json()


def test_figures_hide_a_small_office_then_show_what_its_clients_ranked(world):
    before = _figures(world)
    assert before["organization_id"] == "org-cw-b"
    for i in range(5):
        body = copy.deepcopy(ASSESSMENT)
        body["client_ref"] = f"c-fig-{i}"
        if i == 4:
            body["needs"]["housing"] = 2  # one client does not rank housing 4
        assert world.client.post("/option-lists", json=body, headers=world.as_("cw_b")).status_code == 201
        if i == 3:
            small = _figures(world)
            rank = {r["need"]: r for r in small["need_rank_4"]}
            assert small["clients"] == 4 and rank["compensation"]["hidden"] and rank["compensation"]["share"] is None
    f = _figures(world)
    assert f["clients"] == 5
    rank = {r["need"]: r for r in f["need_rank_4"]}
    assert (rank["compensation"]["clients"], rank["compensation"]["share"]) == (5, 1.0)
    assert (rank["housing"]["clients"], rank["housing"]["share"]) == (4, 0.8)
    assert rank["food"]["share"] == 0.0 and len(rank) == 21
    assert [r["need"] for r in f["need_rank_4"][:2]] == ["compensation", "housing"]
    p4 = f["needs_by_priority"][0]
    assert p4["priority"] == 4 and p4["needs"] == 9 and not p4["hidden"]
    assert f["referral_outcomes"]["hidden"]  # no referral sent yet
    # the admin reads any office's figures; a period before any list holds nothing
    assert _figures(world, "admin", organization_id="org-cw-b")["clients"] == 5
    assert _figures(world, "admin", organization_id="org-cw-b", until="2000-01-01")["clients"] == 0
    assert world.client.get("/kpis/figures?organization_id=org-nope", headers=world.as_("admin")).status_code == 404
