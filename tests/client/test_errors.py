"""Problems the API answers with arrive as typed exceptions of the one hierarchy, with
the RFC 9457 document; a bad argument is refused before anything is sent."""

from __future__ import annotations

import copy

import pytest
from api_support import ASSESSMENT, PARTNER_X
from client_support import Recording

from freechoice.catalog import FreechoiceError, ValidationFailed
from freechoice.client import (
    ApiError,
    Client,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)


def _referral(cw: Client) -> str:
    options = cw.create_option_list(ASSESSMENT)
    comp = next(n for n in options.needs if n.need == "compensation")
    option = next(o for o in comp.options if o.provider_id == PARTNER_X)
    return cw.create_choice(options, [option.option_id]).referrals[0].id


def test_a_missing_object_is_not_found_with_its_problem(live):
    with live.client("cw_a") as cw, pytest.raises(NotFound) as caught:
        cw.get_option_list("ol-does-not-exist")
    err = caught.value
    assert isinstance(err, ApiError) and isinstance(err, FreechoiceError)
    assert err.status == 404 and err.problem.title == "Not found" and err.detail == "no such option list"
    assert err.request_id and err.headers["x-request-id"] == err.request_id
    assert "404 Not found: no such option list" in str(err)


def test_another_organisations_referral_is_not_found(live):
    with live.client("cw_a") as cw, live.client("cw_b") as other:
        ref_id = _referral(cw)
        with pytest.raises(NotFound):
            other.get_referral(ref_id)


def test_a_move_not_allowed_is_a_conflict_naming_the_allowed_moves(live):
    with live.client("cw_a") as cw:
        ref_id = _referral(cw)
        with pytest.raises(Conflict) as caught:
            cw.move_referral(ref_id, "completed")
    assert caught.value.status == 409 and caught.value.allowed == ["sent", "closed"]


def test_refused_input_is_invalid_request_and_validation_failed(live):
    with live.client("cw_a") as cw:
        options = cw.create_option_list(ASSESSMENT)
        with pytest.raises(InvalidRequest) as caught:
            cw.create_choice(options, ["nope"])
    err = caught.value
    assert isinstance(err, ValidationFailed) and err.status == 422
    problem = err.problems[0]
    assert problem.field == "option_ids[0]" and "cash" in problem.allowed
    assert err.problem.errors and err.problem.errors[0].field == "option_ids[0]"


def test_a_bad_assessment_is_refused_before_it_is_sent(live):
    bad = copy.deepcopy(ASSESSMENT)
    bad["needs"]["compensation"] = 5
    bad["situation"]["documents"] = "stolen"
    transport = Recording()
    with live.client("cw_a", transport=transport) as cw, pytest.raises(ValidationFailed) as caught:
        cw.create_option_list(bad)
    fields = {p.field for p in caught.value.problems}
    assert {"needs.compensation", "situation.documents"} <= fields
    assert not isinstance(caught.value, ApiError) and transport.seen == []


def test_keys_and_roles(live):
    with Client(live.url, "fc_nobody_secret") as stranger, pytest.raises(Unauthorized) as caught:
        stranger.iter_referrals().__next__()
    assert caught.value.status == 401 and caught.value.headers["www-authenticate"].startswith("Bearer")
    with live.client("partner_x") as px, pytest.raises(Forbidden):
        px.create_option_list(ASSESSMENT)


def test_a_stale_service_update_is_precondition_failed_with_the_current_etag(live):
    with live.client("partner_x") as px:
        current = px.get_service("svc-songkhla-wage-claim")
        stale = current.model_copy(update={"version": current.version - 1 or 99})
        with pytest.raises(PreconditionFailed) as caught:
            px.update_service(stale)
    assert caught.value.status == 412 and caught.value.etag == f'"{current.version}"'


def test_a_bad_argument_is_refused_here(live):
    with live.client("cw_a") as cw:
        with pytest.raises(ValidationFailed) as caught:
            cw.iter_referrals(limit=0)
        assert caught.value.problems[0].field == "limit"
        with pytest.raises(ValidationFailed):
            cw.update_service({"id": "svc-x"})  # no version to send as If-Match
