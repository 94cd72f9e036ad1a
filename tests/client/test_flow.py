"""The typed client against the real app over real HTTP: the main journey, typed
results, the ETag cache, and lists read page after page."""

from __future__ import annotations

import copy
import datetime as dt

from api_support import ASSESSMENT, PARTNER_X
from client_support import Recording

from freechoice.client import ChoiceCreated, Client, Event, OptionList, Referral, Service


def _assessment(client_ref: str) -> dict:
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = client_ref
    return body


def _choose_partner_x(cw: Client, client_ref: str) -> tuple[OptionList, ChoiceCreated]:
    options = cw.create_option_list(_assessment(client_ref))
    comp = next(n for n in options.needs if n.need == "compensation")
    option = next(o for o in comp.options if o.provider_id == PARTNER_X)
    choice = cw.create_choice(options, [option.option_id, "cash"], consent={option.option_id: ["languages"]})
    return options, choice


def test_the_main_flow_typed_end_to_end(live):
    with live.client("cw_a") as cw, live.client("partner_x") as px:
        options, choice = _choose_partner_x(cw, "c-client-flow")
        assert isinstance(options, OptionList) and options.client_ref == "c-client-flow"
        assert options.assessment_id and options.needs[0].need == "compensation"
        assert isinstance(choice, ChoiceCreated) and choice.cash_chosen
        assert [r.provider_id for r in choice.referrals] == [PARTNER_X]
        ref_id = choice.referrals[0].id
        assert cw.get_choice(choice.id).referral_ids == [ref_id]

        sent = cw.move_referral(ref_id, "sent")
        assert isinstance(sent, Referral) and sent.status == "sent" and sent.option_list_id == options.id
        seen = px.get_referral(ref_id)  # the provider sees what the client consented to, no more
        assert seen.client == {"client_ref": "c-client-flow", "need": "compensation", "languages": ["my"]}
        assert seen.option_list_id is None and seen.allowed_transitions == ["accepted", "declined"]
        for to in ("accepted", "in_progress", "completed"):
            assert px.move_referral(ref_id, to).status == to
        history = cw.get_referral(ref_id).history
        assert [h.to for h in history] == ["draft", "sent", "accepted", "in_progress", "completed"]
        assert history[1].from_ == "draft" and history[1].at.endswith("+00:00")

        feedback = cw.create_feedback(referral_id=ref_id, need_met="yes", satisfaction=5, would_recommend=True)
        assert feedback.referral_id == ref_id and feedback.provider_id == PARTNER_X and feedback.via == "referral"
        assert feedback.id in [f.id for f in cw.iter_feedback(service_id=feedback.service_id, limit=1)]
        kpis = cw.get_kpis(since=dt.date.today() - dt.timedelta(days=1))
        assert kpis.organization_id == "org-cw-a" and kpis.feedback_count >= 1
        assert kpis.satisfaction_by_provider[PARTNER_X].n >= 1 and kpis.share_referrals_completed


def test_the_feedback_code_path_needs_no_key(live):
    with live.client("cw_a") as cw, live.client("partner_x") as px:
        _, choice = _choose_partner_x(cw, "c-client-code")
        ref_id = choice.referrals[0].id
        cw.move_referral(ref_id, "sent")
        px.move_referral(ref_id, "accepted")
        code = cw.create_feedback_code(ref_id)
        assert code.referral_id == ref_id and code.token.startswith("fbt_")
    with Client(live.url) as anonymous:
        recorded = anonymous.create_feedback(token=code.token, need_met="partly", satisfaction=4)
    assert recorded.via == "token" and recorded.referral_id is None  # anonymous by design


def test_an_option_list_read_again_is_a_304_from_the_cache(live):
    transport = Recording()
    with live.client("cw_a", transport=transport) as cw:
        made = cw.create_option_list(_assessment("c-client-etag"))
        first = cw.get_option_list(made.id)
        first.needs.clear()  # the caller's copy: changing it does not change the cache
        again = cw.get_option_list(made.id)
        third = cw.get_option_list(made.id)
    assert again == made and third == made and again is not third
    reads = [(h.get("if-none-match"), status) for m, p, h, status in transport.seen if m == "GET"]
    assert reads == [(None, 200), (f'"{made.id}"', 304), (f'"{made.id}"', 304)]


def test_a_service_read_again_follows_its_changes(live):
    transport = Recording()
    with live.client("partner_x", transport=transport) as px:
        before = px.get_service("svc-songkhla-wage-claim")
        assert px.get_service("svc-songkhla-wage-claim") == before  # a 304
        changed = px.update_capacity(before.id, {"status": "waitlist", "until": "2027-01-31"}, if_match=before.version)
        after = px.get_service(before.id)  # the cached ETag is stale: a 200 with the change
        px.update_capacity(before.id, {"status": "open"}, if_match=after.version)
    assert changed.version == before.version + 1 and after.capacity.status == "waitlist"
    statuses = [s for m, p, h, s in transport.seen if m == "GET"]
    assert statuses == [200, 304, 200]


def test_referrals_are_iterated_across_pages(live):
    with live.client("cw_a") as cw:
        for n in range(3):
            _choose_partner_x(cw, f"c-client-pages-{n}")
        whole = [r.id for r in cw.iter_referrals(limit=500)]
        paged = [r.id for r in cw.iter_referrals(limit=2)]
        drafts = [r.status for r in cw.iter_referrals(status="draft", limit=1)]
        later = list(cw.iter_referrals(modified_since=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)))
    assert len(whole) >= 3 and paged == whole and len(set(paged)) == len(paged)
    assert drafts and set(drafts) == {"draft"}
    assert later == []


def test_the_event_feed_is_iterated_until_caught_up_and_resumed(live):
    with live.client("cw_a") as cw, live.client("partner_x") as px:
        _, choice = _choose_partner_x(cw, "c-client-events")
        ref_id = choice.referrals[0].id
        cw.move_referral(ref_id, "sent")
        events = list(px.iter_events(limit=2))
        assert all(isinstance(e, Event) for e in events)
        assert [e.id for e in events] == sorted({e.id for e in events})
        mine = [(e.from_, e.to) for e in events if e.referral_id == ref_id]
        assert mine == [("draft", "sent")]  # a partner never sees the draft stage
        last = events[-1].id
        assert list(px.iter_events(after=last)) == []
        px.move_referral(ref_id, "accepted")
        new = list(px.iter_events(after=last, limit=1))
    assert [(e.referral_id, e.to) for e in new] == [(ref_id, "accepted")]


def test_services_and_organizations(live):
    with live.client("admin") as admin, live.client("partner_y") as py:
        org = admin.create_organization(
            {"id": "org-client-test", "name": "Client Test Org (fictional)", "sample": True}
        )
        assert admin.get_organization(org.id) == org
        renamed = admin.update_organization(org.model_copy(update={"description": "Renamed in a test (fictional)"}))
        assert renamed.description.startswith("Renamed")
        every = [o.id for o in admin.iter_organizations(limit=2)]
        assert org.id in every and every == sorted(every) and every == [o.id for o in admin.iter_organizations()]

        mine = list(py.iter_services(limit=1))  # a partner lists its own, page after page
        assert mine and {s.organization_id for s in mine} == {"org-open-door-houses"}
        base = mine[0]
        assert [s.id for s in py.iter_services(limit=500)] == [s.id for s in mine]
        new_id = "svc-client-test-shelter"
        created = py.create_service(
            base.model_dump(include=set(Service.model_fields)) | {"id": new_id, "name": "Test shelter"}
        )
        assert created.id == new_id and created.version == 1
        updated = py.update_service(py.get_service(new_id).model_copy(update={"name": "Test shelter, renamed"}))
        assert updated.name == "Test shelter, renamed" and updated.version == 2


def test_a_needs_options_are_read_page_after_page(live):
    with live.client("cw_a") as cw:
        options = cw.create_option_list(_assessment("c-client-pages"))
        need = max(options.needs, key=lambda n: len(n.options) + (n.more.count if n.more else 0))
        total = len(need.options) + (need.more.count if need.more else 0)
        assert total > 1, "the sample catalog gives this client a need with several options"
        paged = list(cw.iter_need_options(options.id, need.need, limit=1))  # one option per request
        exact = need.more is None or need.more.exact  # otherwise the count is at most
        assert len(paged) == total if exact else len(need.options) < len(paged) <= total
        assert [o.option_id for o in paged[: len(need.options)]] == [o.option_id for o in need.options]
        if need.more is not None:
            rest = list(cw.iter_need_options(options.id, need.need, cursor=need.more.cursor))
            assert [o.option_id for o in rest] == [o.option_id for o in paged[len(need.options) :]]
