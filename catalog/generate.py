"""Generated catalogs of any size, for benchmarks and load tests (fictional, seeded)."""

from __future__ import annotations

import random
from typing import Literal, cast

from .index import Catalog
from .models import (
    Capacity,
    CostOption,
    Eligibility,
    Employment,
    Location,
    Organization,
    Sector,
    Service,
    ServiceArea,
)
from .taxonomy import SECTORS, SERVICE_KIND_IDS

__all__ = ["GENERATED_PLACES", "generate_catalog", "generate_services"]

GENERATED_PLACES: tuple[tuple[str, str], ...] = (
    ("TH", "Samut Sakhon"),
    ("TH", "Songkhla"),
    ("TH", "Trang"),
    ("TH", "Ranong"),
    ("TH", "Bangkok"),
    ("TH", "Chonburi"),
    ("TH", "Chiang Mai"),
    ("TH", "Tak"),
    ("TH", "Phuket"),
    ("TH", "Surat Thani"),
    ("MM", "Yangon"),
    ("MM", "Mon State"),
    ("MM", "Tanintharyi"),
    ("MM", "Mandalay"),
    ("MM", "Kayin State"),
    ("KH", "Phnom Penh"),
    ("KH", "Siem Reap"),
    ("KH", "Banteay Meanchey"),
    ("LA", "Vientiane"),
    ("LA", "Savannakhet"),
)
_LANGS = {"TH": ["th", "my", "km", "lo", "en"], "MM": ["my", "en"], "KH": ["km", "th", "en"], "LA": ["lo", "th", "en"]}


def generate_services(
    n: int,
    *,
    seed: int = 7,
    orgs: int | None = None,
    per_area: int = 50,
    places: list[tuple[str, str]] | None = None,
) -> tuple[list[Organization], list[Service]]:
    """``n`` fictional services from ``orgs`` fictional organisations (default n // 20).

    Services spread over the brief's places plus numbered districts, about
    ``per_area`` services per area (a large catalog covers more places, not the same
    places more densely), or over the given ``places`` only; 2% are remote and serve a
    whole country.
    """
    rng = random.Random(seed)
    n_orgs = orgs or max(1, n // 20)
    if places is None:
        places = list(GENERATED_PLACES)
        extra = max(0, n // per_area - len(places))
        countries = ["TH", "MM", "KH", "LA"]
        places += [(countries[k % 4], f"District {k + 1}") for k in range(extra)]
    organizations = [
        Organization(id=f"gen-org-{i:06d}", name=f"Generated Provider {i} (fictional)", sample=True)
        for i in range(n_orgs)
    ]
    services = []
    for i in range(n):
        country, area = rng.choice(places)
        kind = rng.choice(SERVICE_KIND_IDS)
        remote = rng.random() < 0.02
        employment = None
        if kind.startswith("job_placement.direct_employer"):
            employment = Employment(
                direct_hire=rng.random() < 0.7,
                charges_recruitment_fees=rng.random() < 0.2,
                sectors=[cast(Sector, rng.choice(SECTORS))],
                light_work_available=rng.random() < 0.3,
                at_sea=rng.random() < 0.1,
                wage_monthly=float(rng.randint(7000, 15000)),
                minimum_wage_monthly=9000.0,
                currency="THB",
            )
        reports = rng.random() < 0.05
        status: Literal["open", "waitlist", "full"] = rng.choices(("open", "waitlist", "full"), weights=[80, 12, 8])[0]
        services.append(
            Service(
                id=f"gen-svc-{i:07d}",
                organization_id=organizations[i % n_orgs].id,
                name=f"Generated service {i}",
                kinds=[kind],
                location=None if remote else Location(country=country, area=area),
                service_areas=[ServiceArea(country=country, area=None if remote else area)],
                remote=remote,
                languages=rng.sample(_LANGS[country], k=rng.randint(1, 2)),
                interpretation=rng.random() < 0.2,
                cost_options=[CostOption(amount=0.0)]
                if rng.random() < 0.8
                else [CostOption(amount=100.0, currency="THB")],
                eligibility=Eligibility(
                    legal_status_required=rng.random() < 0.1,
                    nationalities=[rng.choice(["MM", "KH", "LA"])] if rng.random() < 0.1 else None,
                    genders=["female"] if rng.random() < 0.05 else None,
                    documents_required=["passport"] if rng.random() < 0.05 else [],
                ),
                reports_to_authorities="mandatory" if reports else "never",
                reports_to=["immigration"] if reports else [],
                contact_with=[rng.choice(["police", "employer", "broker"])] if rng.random() < 0.05 else [],
                acts_without_client=kind == "family.tracing" and rng.random() < 0.3,
                requires=["documents.police_report"] if kind == "documents.identity" and rng.random() < 0.2 else [],
                restricts_movement=kind == "housing.shelter" and rng.random() < 0.2,
                employment=employment,
                capacity=Capacity(status=status),
            )
        )
    return organizations, services


def generate_catalog(n: int, *, seed: int = 7, per_area: int = 50) -> Catalog:
    """A generated catalog of ``n`` fictional services (marked sample)."""
    orgs, services = generate_services(n, seed=seed, per_area=per_area)
    return Catalog(orgs, services, sample=True, name=f"generated catalog ({n} services)")
