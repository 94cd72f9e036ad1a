"""Examples for the OpenAPI document's schemas that come from the engine and the catalog
(their models carry none): what a generated client's docs show. All fictional."""

from __future__ import annotations

from typing import Any

__all__ = ["ASSESSMENT", "EXAMPLES", "OPTION_LIST"]

_SERVICE: dict[str, Any] = {
    "id": "svc-legal-1",
    "organization_id": "org-andaman-wage-justice",
    "name": "Wage claim clinic (fictional)",
    "kinds": ["legal_aid.wage_claim"],
}

# an option list of the sample catalog, cut to one need with one option
OPTION_LIST: dict[str, Any] = {
    "id": "ol-5cb41220d1b844c1834ffe408c1bf1e0",
    "client_ref": "c-api-1",
    "created_at": "2026-12-02T09:38:48+00:00",
    "rules_version": "rules-4d369b032e0a8c26",
    "catalog_version": "cat-bd903ee4931f74b2",
    "sample_data": False,
    "needs": [
        {
            "need": "compensation",
            "label": "Compensation",
            "priority": 4,
            "options": [
                {
                    "option_id": "compensation/svc-songkhla-wage-claim",
                    "service_id": "svc-songkhla-wage-claim",
                    "service_name": "Unpaid wage claims (Songkhla)",
                    "provider_id": "org-andaman-wage-justice",
                    "provider_name": "Andaman Wage Justice Centre",
                    "kinds": ["legal_aid.wage_claim"],
                    "score": 0.852,
                    "reasons": [
                        {"rule": "need:compensation", "text": "Offers: Legal help to claim unpaid wages"},
                        {"rule": "language-fit", "text": "Staff speak your language (Burmese)"},
                        {"rule": "free-of-charge", "text": "Free of charge"},
                        {"rule": "wage-claim-for-compensation", "text": "Helps you claim the wages you are owed"},
                    ],
                    "cautions": [
                        {
                            "rule": "case-against-who-you-meet",
                            "text": "The case is against the employer. You will meet: the employer.",
                        }
                    ],
                    "steps": [
                        {
                            "kind": "legal_aid.labour_court",
                            "text": "Then: can refer you on to Chao Phraya Labour Law Office (Labour court representation)",
                            "when": "after",
                            "service_id": "svc-bangkok-labour-court",
                            "service_name": "Labour court representation",
                            "provider_name": "Chao Phraya Labour Law Office",
                            "rule": None,
                            "cautions": [
                                {
                                    "rule": "interpreter-provided",
                                    "text": "Staff do not speak your language; an interpreter is provided.",
                                },
                                {
                                    "rule": "case-against-who-you-meet",
                                    "text": "The case is against the employer. You will meet: the employer.",
                                },
                            ],
                        }
                    ],
                    "cost": {"free": True, "options": [{"option": "Free of charge", "amount": 0.0}]},
                    "location": {
                        "remote": False,
                        "name": "Unpaid wage claims (Songkhla)",
                        "address_1": "Fictional address, not a real place",
                        "city": "Hat Yai",
                        "area": "Songkhla",
                        "country": "TH",
                        "service_areas": [],
                    },
                    "languages": ["my", "th", "en"],
                    "availability": "open",
                    "available_until": None,
                    "remote": False,
                    "quality": None,
                    "job": None,
                    "shown_on_request": False,
                }
            ],
            "unmet": None,
            "cash_meets": False,
            "status": "met",
            "listed_because": None,
        }
    ],
    "excluded": [
        {
            "service_id": "svc-songkhla-provincial-legal-desk",
            "service_name": "Provincial legal assistance desk",
            "need": "compensation",
            "rule": "no-contact-hard-limit",
            "text": "Would bring you into contact with immigration, which you asked to avoid.",
            "on_request": False,
        }
    ],
    "cautions": [],
    "show_all": False,
    "cash": {
        "option_id": "cash",
        "transfers": 3,
        "amount_per_transfer": 9000.0,
        "currency": "THB",
        "country": "TH",
        "basis": "Monthly minimum wage in Thailand (figure from 2013-01-01)",
        "spending_plan": [],
        "plan_needs": ["compensation", "housing", "employment"],
        "conditions": "None: the money is the client's to spend on what they decide.",
        "paid_in": "Paid in Thailand, where you are now, in THB.",
        "minimum_wage_as_of": "2013-01-01",
        "recipient": "client",
        "safeguarding": None,
    },
    "by_place": [],
    "assessment_id": "as-dcb4e3a2c2974dd7a345c60c5b7a9970",
}

ASSESSMENT: dict[str, Any] = {
    "client_ref": "c-api-1",
    "needs": {"compensation": 4, "housing": 4, "employment": 3},
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "plan": "stay",
        "nationality": "MM",
        "languages": ["my"],
        "gender": "male",
        "age": 29,
        "documents": "confiscated",
        "fears": ["police"],
        "legal_interest": ["wage_claim"],
        "no_contact_with": ["immigration"],
    },
}
_PACK: dict[str, Any] = {"pack": "local-variant", "description": "A local variant of the default rules", "rules": []}

EXAMPLES: dict[str, list[Any]] = {
    "Assessment": [ASSESSMENT],
    "KeyCreate": [{"organization_id": "org-cw-a", "role": "caseworker", "label": "intake desk"}],
    "CapacityUpdate": [{"status": "full", "until": "2027-02-01"}, {"status": "open", "available": 3, "maximum": 12}],
    "ChoiceCreate": [
        {
            "option_ids": ["compensation/svc-songkhla-wage-claim"],
            "consent": {"compensation/svc-songkhla-wage-claim": ["client_ref", "need", "languages"]},
        },
        {"option_ids": [], "decision": "decide_later", "note": "Wants to talk to family first"},
    ],
    "TransitionCreate": [{"to": "sent"}, {"to": "declined", "reason": "No places until March"}],
    "FeedbackCreate": [
        {"token": "fbt_EXAMPLEexampleEXAMPLEexample", "need_met": "partly", "satisfaction": 4},
        {"referral_id": "rf-fd1a23fd3c054f22be4f6a785436c903", "need_met": "yes", "satisfaction": 5},
    ],
    "RetentionSet": [{"days": 365}, {"days": None}],
    "PackBody": [{"pack": _PACK}],
    "DryRun": [{"pack": _PACK, "assessment_id": "as-1b2c3d4e5f60718293a4b5c6d7e8f901"}],
    "OptionList": [OPTION_LIST],
    "Organization": [{"id": "org-andaman-wage-justice", "name": "Andaman Wage Justice (fictional)"}],
    "Service": [_SERVICE],
    "ServiceWrite": [_SERVICE],
}
