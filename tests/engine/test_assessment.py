"""The public input contract: valid assessments parse, invalid ones list every problem."""

from __future__ import annotations

import json

import pytest

from freechoice.engine import ValidationFailed, parse_assessment

EXAMPLE = {
    "client_ref": "c-0042",
    "needs": {
        "employment": 4,
        "compensation": 4,
        "identity_documents": 4,
        "current_expenses": 3,
        "family_communication": 2,
    },
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "plan": "stay",
        "intended_location": None,
        "nationality": "MM",
        "languages": ["my"],
        "gender": "male",
        "age": 29,
        "documents": "confiscated",
        "fears": ["police"],
        "avoid_sectors": ["fishing"],
        "work_limits": ["light_work_only"],
        "legal_interest": ["wage_claim"],
        "no_contact_with": ["police", "immigration"],
    },
}


def test_the_issue_example_parses_from_a_mapping_and_from_json():
    a = parse_assessment(EXAMPLE)
    b = parse_assessment(json.dumps(EXAMPLE))
    assert a == b
    assert a.ranked(3) == [("employment", 4), ("identity_documents", 4), ("compensation", 4), ("current_expenses", 3)]


def _problems(raw) -> dict[str, object]:
    with pytest.raises(ValidationFailed) as err:
        parse_assessment(raw)
    return {p.field: p for p in err.value.problems}


def test_every_problem_is_reported_with_field_and_allowed_values():
    bad = json.loads(json.dumps(EXAMPLE))
    bad["needs"]["employment"] = 5
    bad["needs"]["jobs"] = 3
    bad["situation"]["location"]["country"] = "Thailand"
    bad["situation"]["plan"] = "return_home"
    bad["situation"]["documents"] = "stolen"
    bad["situation"]["colour"] = "blue"
    got = _problems(bad)
    assert got["needs.employment"].allowed == ["1", "2", "3", "4"] or got["needs.employment"].allowed == [1, 2, 3, 4]
    assert "employment" in got["needs.jobs"].allowed and "unknown need" in got["needs.jobs"].message
    assert "ISO 3166-1" in got["situation.location.country"].message
    assert "situation.intended_location" in got
    assert "confiscated" in got["situation.documents"].allowed
    assert "unknown field" in got["situation.colour"].message


def test_missing_intended_place_alone_is_reported():
    bad = json.loads(json.dumps(EXAMPLE))
    bad["situation"]["plan"] = "move_elsewhere"
    with pytest.raises(ValidationFailed) as err:
        parse_assessment(bad)
    assert any("intended_location" in str(p) for p in err.value.problems)


def test_language_codes_are_iso_639():
    ok = json.loads(json.dumps(EXAMPLE))
    ok["situation"]["languages"] = ["my", "shn"]  # Shan has no 639-1 code
    assert parse_assessment(ok).situation.languages == ["my", "shn"]
    ok["situation"]["languages"] = ["burmese"]
    assert "situation.languages.0" in _problems(ok)


def test_client_ref_refuses_spaces_so_names_do_not_slip_in():
    bad = dict(EXAMPLE, client_ref="Aung Ko")
    assert "client_ref" in _problems(bad)
