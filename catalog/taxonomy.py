"""The public vocabulary: the 21 needs in six categories, and the kinds of service.

Need ids and service-kind ids are stable: they appear in assessments, rule packs,
option lists, the HSDS export and the HTTP API. Add to them; never rename.
The ``brief_share`` of each need is the share of the 117 pilot clients who ranked it 4
(Issara Institute, 2017); the demo's synthetic cohort is calibrated to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a label for message extraction (freechoice.engine.text); returns it unchanged."""
    return message


__all__ = [
    "CATEGORIES",
    "DOCUMENT_KINDS",
    "DOCUMENT_STATUSES",
    "NEEDS",
    "NEED_IDS",
    "Need",
    "PARTIES",
    "PLANS",
    "SECTORS",
    "SERVICE_KINDS",
    "SERVICE_KIND_IDS",
    "ServiceKind",
    "WORK_LIMITS",
    "kinds_for_need",
    "needs_for_kind",
]


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    category: str
    label: str
    description: str
    brief_share: float
    order: int


@dataclass(frozen=True, slots=True)
class ServiceKind:
    id: str
    label: str
    needs: tuple[str, ...]
    requires: tuple[str, ...] = ()
    refers_to: tuple[str, ...] = ()
    satisfied_by_valid_documents: bool = False
    offered_by_default: bool = True
    #: parties the client meets whoever provides this kind (a police report means the police)
    implies_contact: tuple[str, ...] = ()
    #: how a step of this kind is named in a sentence ("needs a police report first")
    noun: str = ""

    @property
    def step_noun(self) -> str:
        return self.noun or self.label[0].lower() + self.label[1:]


CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "financial_economic": N_("Financial and economic"),
        "legal": N_("Legal assistance"),
        "basic": N_("Basic needs"),
        "safety": N_("Safety and security"),
        "health": N_("Health and psychosocial"),
        "education": N_("Education and training"),
    }
)

_NEEDS = [
    (
        "employment",
        "financial_economic",
        N_("Find work"),
        N_("A safe, legal, fairly paid job, hired directly by the employer."),
        0.54,
    ),
    (
        "current_expenses",
        "financial_economic",
        N_("Money for current costs"),
        N_("Money to pay for daily costs, bills and other expenses now."),
        0.47,
    ),
    (
        "debt",
        "financial_economic",
        N_("Outstanding debt"),
        N_("Help with money you owe, so debt does not trap you again."),
        0.31,
    ),
    (
        "integration_planning",
        "financial_economic",
        N_("Planning next steps"),
        N_("Help to plan what comes next: staying, going home or moving on."),
        0.18,
    ),
    (
        "cultural_religious",
        "financial_economic",
        N_("Cultural or religious costs"),
        N_("Money for a ceremony, offering or other cultural or religious duty."),
        0.03,
    ),
    (
        "legal_proceedings",
        "legal",
        N_("Support in a legal case"),
        N_("Help in a labour or criminal case, such as a claim for unpaid wages."),
        0.50,
    ),
    (
        "identity_documents",
        "legal",
        N_("Identity and other documents"),
        N_("Getting back, renewing or obtaining passports, ID cards and work permits."),
        0.49,
    ),
    (
        "compensation",
        "legal",
        N_("Compensation"),
        N_("Legal help to get the wages or compensation you are owed."),
        0.37,
    ),
    (
        "legal_information",
        "legal",
        N_("Legal information and advice"),
        N_("Clear advice on your rights and your options under the law."),
        0.29,
    ),
    (
        "family_communication",
        "basic",
        N_("Contact with family"),
        N_("Being in touch with your family, in the way and at the time you choose."),
        0.35,
    ),
    (
        "housing",
        "basic",
        N_("A place to stay"),
        N_("A safe place to sleep that you are free to come and go from."),
        0.31,
    ),
    ("food", "basic", N_("Food"), N_("Enough food for you (and your family) now."), 0.28),
    (
        "safety_destination",
        "safety",
        N_("Safety where you are"),
        N_("Being safe from arrest, deportation or other harm in the country you are in."),
        0.23,
    ),
    (
        "protection",
        "safety",
        N_("Protection from people who could harm you"),
        N_("Protection from an employer, broker or anyone else who could hurt you."),
        0.21,
    ),
    (
        "family_safety",
        "safety",
        N_("Safety of family or friends"),
        N_("Keeping your family or friends safe from threats."),
        0.14,
    ),
    (
        "basic_medical",
        "health",
        N_("Basic medical care"),
        N_("A doctor, clinic visit or medicine for everyday health problems."),
        0.21,
    ),
    (
        "serious_medical",
        "health",
        N_("Serious medical treatment"),
        N_("Hospital care or treatment for an injury or serious illness."),
        0.17,
    ),
    (
        "psychosocial",
        "health",
        N_("Emotional support"),
        N_("Someone to talk to, counselling or other support for your wellbeing."),
        0.08,
    ),
    (
        "life_skills",
        "education",
        N_("Life skills"),
        N_("Training in everyday skills: money, language, rights at work."),
        0.15,
    ),
    (
        "vocational_training",
        "education",
        N_("Job training"),
        N_("Training for a trade or skill that leads to better work."),
        0.12,
    ),
    ("child_schooling", "education", N_("School for a child"), N_("Money or help to enrol a child in school."), 0.10),
]

NEEDS: Mapping[str, Need] = MappingProxyType(
    {nid: Need(nid, cat, label, desc, share, i) for i, (nid, cat, label, desc, share) in enumerate(_NEEDS)}
)
NEED_IDS: tuple[str, ...] = tuple(NEEDS)

_KINDS = [
    ServiceKind("job_placement.direct_employer", N_("A job with an employer"), ("employment",)),
    ServiceKind(
        "job_placement.self_employment_support",
        N_("Help to start your own business"),
        ("employment", "integration_planning", "debt"),
    ),
    ServiceKind(
        "financial.emergency_grant", N_("Emergency money grant"), ("current_expenses", "food", "cultural_religious")
    ),
    ServiceKind("financial.debt_advice", N_("Debt advice and negotiation"), ("debt",)),
    ServiceKind(
        "financial.cultural_religious_grant", N_("Grant for cultural or religious costs"), ("cultural_religious",)
    ),
    ServiceKind(
        "case_management.integration_planning",
        N_("Planning your next steps with a caseworker"),
        ("integration_planning", "safety_destination"),
    ),
    ServiceKind(
        "legal_aid.wage_claim",
        N_("Legal help to claim unpaid wages"),
        ("compensation", "legal_proceedings"),
        refers_to=("legal_aid.labour_court",),
    ),
    ServiceKind(
        "legal_aid.labour_court", N_("Representation at the labour court"), ("legal_proceedings", "compensation")
    ),
    # Offered only when the client asks for a criminal case (a rule suggests it).
    ServiceKind(
        "legal_aid.criminal_case",
        N_("Support as a witness or victim in a criminal case"),
        ("legal_proceedings",),
        offered_by_default=False,
        implies_contact=("police", "suspect"),
        noun=N_("a criminal case"),
    ),
    ServiceKind(
        "legal_aid.information", N_("Legal information and advice"), ("legal_information", "safety_destination")
    ),
    ServiceKind(
        "documents.identity",
        N_("Help with passport or identity card"),
        ("identity_documents",),
        satisfied_by_valid_documents=True,
        noun=N_("a passport or identity card"),
    ),
    ServiceKind(
        "documents.work_permit",
        N_("Help with a work permit"),
        ("identity_documents",),
        requires=("documents.identity",),
        satisfied_by_valid_documents=True,
        noun=N_("a work permit"),
    ),
    ServiceKind(
        "documents.police_report",
        N_("Filing a report of lost or taken documents"),
        ("identity_documents",),
        satisfied_by_valid_documents=True,
        implies_contact=("police",),
        noun=N_("a police report"),
    ),
    ServiceKind(
        "documents.legal_stay",
        N_("Help to stay legally and get permission to work"),
        ("identity_documents", "safety_destination", "legal_information"),
    ),
    ServiceKind(
        "documents.recovery",
        N_("Getting your documents back from an employer"),
        ("identity_documents",),
        satisfied_by_valid_documents=True,
    ),
    ServiceKind("family.contact_support", N_("Help to contact your family, on your terms"), ("family_communication",)),
    ServiceKind("family.tracing", N_("Finding family members you have lost contact with"), ("family_communication",)),
    ServiceKind("family.safety_support", N_("Support to keep your family safe"), ("family_safety",)),
    ServiceKind("housing.shelter", N_("Shelter"), ("housing", "protection")),
    ServiceKind("housing.rental_support", N_("Help to rent a room"), ("housing",)),
    ServiceKind("food.meals", N_("Meals or food parcels"), ("food",)),
    ServiceKind(
        "safety.hotline", N_("Hotline for help and advice"), ("safety_destination", "protection", "legal_information")
    ),
    ServiceKind("safety.protection", N_("Protection and safety planning"), ("protection", "family_safety")),
    # Offered to children (under the age of majority) through a rule, first under the safety needs.
    ServiceKind(
        "protection.child",
        N_("Child protection: a social worker who looks after children"),
        ("safety_destination", "protection", "family_safety"),
        offered_by_default=False,
    ),
    ServiceKind(
        "return.travel_reception",
        N_("Safe travel home and someone to meet you when you arrive"),
        ("integration_planning",),
    ),
    ServiceKind("health.primary_care", N_("Clinic or primary care"), ("basic_medical",)),
    ServiceKind("health.hospital", N_("Hospital treatment"), ("serious_medical",)),
    ServiceKind("health.psychosocial", N_("Counselling and emotional support"), ("psychosocial",)),
    ServiceKind("training.life_skills", N_("Life skills training"), ("life_skills",)),
    ServiceKind("training.vocational", N_("Vocational training"), ("vocational_training", "employment")),
    ServiceKind("education.school_enrolment", N_("Help to enrol a child in school"), ("child_schooling",)),
    ServiceKind("financial.education_grant", N_("Grant for school costs"), ("child_schooling",)),
    # Imported records no kind could be inferred for: kept inactive until classified.
    ServiceKind("unclassified", N_("Not yet classified (imported)"), (), offered_by_default=False),
]

SERVICE_KINDS: Mapping[str, ServiceKind] = MappingProxyType({k.id: k for k in _KINDS})
SERVICE_KIND_IDS: tuple[str, ...] = tuple(SERVICE_KINDS)

_BY_NEED: dict[str, tuple[str, ...]] = {
    n: tuple(k.id for k in _KINDS if n in k.needs and k.offered_by_default) for n in NEED_IDS
}


def kinds_for_need(need: str) -> tuple[str, ...]:
    """The service kinds offered for ``need`` by default, in taxonomy order.

    Kinds with ``offered_by_default=False`` (criminal cases) come only through a rule.

    >>> kinds_for_need("compensation")
    ('legal_aid.wage_claim', 'legal_aid.labour_court')
    """
    return _BY_NEED[need]


def needs_for_kind(kind: str) -> tuple[str, ...]:
    """The needs a service kind can meet."""
    return SERVICE_KINDS[kind].needs


#: a required document that can only be had through a service of this kind (a step first)
DOCUMENT_KINDS: Mapping[str, str] = MappingProxyType({"police_report": "documents.police_report"})

PLANS = ("stay", "return_home", "move_elsewhere", "undecided")
DOCUMENT_STATUSES = ("valid", "expired", "lost", "confiscated", "fraudulent", "none")
PARTIES = ("police", "immigration", "employer", "broker", "suspect")
SECTORS = (
    "agriculture",
    "construction",
    "domestic_work",
    "fishing",
    "garment",
    "hospitality",
    "manufacturing",
    "retail",
    "seafood_processing",
    "services",
    "transport",
)
WORK_LIMITS = ("light_work_only", "no_night_work", "no_sea_work", "part_time_only")
