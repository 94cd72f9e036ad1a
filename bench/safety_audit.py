"""Safety audit: the demo cohort plus hard cases against the sample catalog.

Counts, over every option list, what must never happen (each must be 0), checked
against the catalog's own facts (who a service meets or reports to, its kinds, its
employment facts, its age limits), never against the engine's texts:

- options, steps before them or onward referrals after them that break a client's limit
  (no_contact_with, avoid_sectors, work_limits);
- minors offered adult-only services (hazardous work, a room alone, tracing without them,
  a service with a minimum age above theirs);
- clients without valid documents shown a mandatory reporter above a non-reporting
  option of the same need;
- unmet needs with no way forward;
- "find work" counted as met without a job;

and prints the median number of options per need the client ranked 4.

``--services N`` audits against a generated catalog of N fictional services instead of
the sample; ``--limit L`` bounds each list at L options per need (as the service does)
and audits it with every later page of each need read after its first options.

    python bench/safety_audit.py [--size 117] [--seed 2016] [--services N] [--limit L]
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from freechoice.catalog import Catalog, Service, load_sample_catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import load_rules, options_page, parse_assessment, propose
from freechoice.engine.assessment import Assessment
from freechoice.engine.cohort import synthetic_cohort
from freechoice.engine.compile import CompiledRules
from freechoice.engine.options import OptionList

__all__ = ["Audit", "audit", "hard_case_dicts", "main"]

# What a kind or a required document means whoever provides it, written out from the
# brief here rather than read from the engine.
_KIND_MEETS = {"documents.police_report": {"police"}, "legal_aid.criminal_case": {"police", "suspect"}}
_DOCUMENT_MEETS = {"police_report": {"police"}}
# ILO worst forms of child labour, as far as the catalog's sectors tell them.
_HAZARDOUS_SECTORS = {"fishing", "seafood_processing", "construction", "domestic_work"}
_ADULT_ONLY_KINDS = {"housing.rental_support"}
_JOB_KINDS = {"job_placement.direct_employer"}
_SECTOR_OF_LIMIT = {"no_sea_work": "at_sea", "no_night_work": "night_work"}


def _brings(svc: Service) -> set[str]:
    """The parties a client meets, or whose files they end up in, through ``svc``."""
    parties = set(svc.contact_with)
    if svc.reports_to_authorities == "mandatory":
        parties |= set(svc.reports_to)
    for kind in svc.kinds:
        parties |= _KIND_MEETS.get(kind, set())
    return parties


def _breaks_limit(svc: Service, a: Assessment, *, chosen: bool) -> bool:
    s = a.situation
    if _brings(svc) & set(s.no_contact_with):
        return True
    if s.documents != "valid":
        docs = set(svc.eligibility.documents_required) | {d.code for d in svc.required_documents}
        if any(_DOCUMENT_MEETS.get(d, set()) & set(s.no_contact_with) for d in docs):
            return True
    emp = svc.employment
    if emp is None or not chosen:
        return False
    if set(emp.sectors) & set(s.avoid_sectors):
        return True
    limits = set(s.work_limits)
    if any(getattr(emp, fact) for limit, fact in _SECTOR_OF_LIMIT.items() if limit in limits):
        return True
    if "light_work_only" in limits and not emp.light_work_available:
        return True
    return "part_time_only" in limits and emp.full_time


def _adult_only(svc: Service, age: int) -> bool:
    emp = svc.employment
    if emp is not None and (
        emp.at_sea
        or emp.night_work
        or emp.charges_recruitment_fees
        or not emp.direct_hire
        or set(emp.sectors) & _HAZARDOUS_SECTORS
    ):
        return True
    minimum = svc.eligibility.minimum_age
    return (
        bool(_ADULT_ONLY_KINDS & set(svc.kinds)) or svc.acts_without_client or (minimum is not None and minimum > age)
    )


def _reports(svc: Service) -> bool:
    return svc.reports_to_authorities == "mandatory" and bool({"police", "immigration"} & set(svc.reports_to))


@dataclass
class Audit:
    lists: int = 0
    limit_breaches: list[str] = field(default_factory=list)
    minors: int = 0
    minor_adult_only: list[str] = field(default_factory=list)
    reporter_above: list[str] = field(default_factory=list)
    unmet: int = 0
    unmet_no_way_forward: list[str] = field(default_factory=list)
    employment_met_without_job: list[str] = field(default_factory=list)
    rank4_options: dict[str, list[int]] = field(default_factory=dict)

    def breaches(self) -> dict[str, int]:
        """Every count that must be 0."""
        return {
            "options, steps or onward referrals breaking a limit": len(self.limit_breaches),
            "minors offered adult-only services": len(self.minor_adult_only),
            "undocumented: mandatory reporter above a non-reporting option": len(self.reporter_above),
            "unmet needs with no way forward": len(self.unmet_no_way_forward),
            "employment counted as met with no job": len(self.employment_met_without_job),
        }

    def median_rank4_options(self) -> float:
        counts = [c for cs in self.rank4_options.values() for c in cs]
        return statistics.median(counts) if counts else 0.0


def _check_list(out: Audit, a: Assessment, ol: OptionList, catalog: Catalog) -> None:
    s = a.situation
    out.lists += 1
    minor = s.age is not None and s.age < 18
    out.minors += minor
    for n in ol.needs:
        where = f"{a.client_ref}/{n.need}"
        if a.needs.get(n.need) == 4:
            out.rank4_options.setdefault(n.need, []).append(len(n.options))
        seen_quiet = False
        for o in n.options:
            svc = catalog.service(o.service_id)
            if _breaks_limit(svc, a, chosen=not o.shown_on_request):
                out.limit_breaches.append(f"{where}: option {svc.id}")
            for step in o.steps:
                if _KIND_MEETS.get(step.kind, set()) & set(s.no_contact_with):
                    out.limit_breaches.append(f"{where}: {step.when} {step.kind} of {svc.id}")
                elif step.service_id is not None and (
                    step.service_id == svc.id or _breaks_limit(catalog.service(step.service_id), a, chosen=False)
                ):
                    out.limit_breaches.append(f"{where}: {step.when} {step.service_id} of {svc.id}")
            if minor and not o.shown_on_request and _adult_only(svc, s.age or 0):
                out.minor_adult_only.append(f"{where}: {svc.id}")
            if s.documents != "valid" and not o.shown_on_request:
                if _reports(svc):
                    if not seen_quiet and any(
                        not _reports(catalog.service(x.service_id)) and not x.shown_on_request
                        for x in n.options[n.options.index(o) + 1 :]
                    ):
                        out.reporter_above.append(f"{where}: {svc.id}")
                else:
                    seen_quiet = True
        if n.status != "met":
            out.unmet += 1
            ways = n.unmet.ways_forward if n.unmet is not None else []
            real = [w for w in ways if w.service_id is None or catalog.get(w.service_id) is not None]
            if not real:
                out.unmet_no_way_forward.append(where)
        if n.need == "employment" and n.status == "met":
            jobs = [
                o for o in n.options if not o.shown_on_request and _JOB_KINDS & set(catalog.service(o.service_id).kinds)
            ]
            if not jobs:
                out.employment_met_without_job.append(where)


def audit(assessments: Sequence[Assessment], catalog: Catalog, rules: CompiledRules, limit: int | None = None) -> Audit:
    """Propose a list (all ranked needs, and again with show_all) for each client and count
    breaches. With ``limit``, each list is bounded and audited with every later page of
    each need read and put after its first options (what a caseworker sees page by page)."""
    out = Audit()
    for a in assessments:
        for show_all in (False, True):
            ol = propose(a, catalog, rules, all_needs=True, show_all=show_all, limit=limit)
            _check_list(out, a, _with_every_page(ol, a, catalog, rules), catalog)
    return out


def _with_every_page(ol: OptionList, a: Assessment, catalog: Catalog, rules: CompiledRules) -> OptionList:
    needs = []
    for n in ol.needs:
        options, cursor = list(n.options), n.more.cursor if n.more is not None else None
        while cursor is not None:
            page = options_page(ol, a, catalog, rules, n.need, cursor=cursor, count=25)
            options += page.items
            cursor = page.next_cursor
        needs.append(n.model_copy(update={"options": options}))
    return ol.model_copy(update={"needs": needs})


def hard_case_dicts() -> list[dict[str, Any]]:
    """Generated clients for what the cohort may draw rarely (fictional)."""
    every = {n: 4 for n in ("safety_destination", "protection", "employment", "legal_proceedings", "housing")}
    th = {"country": "TH", "area": "Samut Sakhon"}
    base: dict[str, Any] = {"location": th, "nationality": "MM", "languages": ["my"], "documents": "none"}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("minor-16", {"age": 16, "plan": "stay"}),
        ("minor-14-home", {"age": 14, "plan": "return_home", "intended_location": {"country": "MM", "area": "Yangon"}}),
        ("no-employer", {"age": 30, "no_contact_with": ["employer"], "legal_interest": ["wage_claim"]}),
        ("no-broker", {"age": 28, "no_contact_with": ["broker"]}),
        ("no-suspect", {"age": 25, "no_contact_with": ["suspect"], "legal_interest": ["criminal_case"]}),
        ("no-police", {"age": 33, "no_contact_with": ["police", "immigration"], "legal_interest": ["criminal_case"]}),
        ("no-language", {"age": 40, "languages": []}),
        (
            "undecided-places",
            {
                "age": 22,
                "plan": "undecided",
                "possible_locations": [{"country": "MM", "area": "Mon State"}, {"country": "TH", "area": "Bangkok"}],
            },
        ),
        ("undecided-none", {"age": 35, "plan": "undecided"}),
        ("documented", {"age": 29, "documents": "valid", "plan": "stay"}),
        (
            "undocumented-sea",
            {
                "age": 45,
                "documents": "confiscated",
                "work_limits": ["no_sea_work", "no_night_work"],
                "avoid_sectors": ["fishing"],
            },
        ),
    ]
    return [{"client_ref": f"hard-{ref}", "needs": every, "situation": {**base, **extra}} for ref, extra in cases]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=117)
    p.add_argument("--seed", type=int, default=2016)
    p.add_argument("--services", type=int, default=0, help="a generated catalog of this many services (0: the sample)")
    p.add_argument("--limit", type=int, default=0, help="bounded lists, every page read (0: unbounded)")
    args = p.parse_args(argv)
    cohort = synthetic_cohort(args.size, args.seed) + [parse_assessment(d) for d in hard_case_dicts()]
    if args.services:
        orgs, services = generate_services(args.services)
        catalog = Catalog(orgs, services, sample=True, name=f"generated catalog ({args.services} services)")
        where = f"generated catalog of {args.services:,} services"
    else:
        catalog, where = load_sample_catalog(), "sample catalog"
    result = audit(cohort, catalog, load_rules(), args.limit or None)
    bounded = f", bounded at {args.limit} with every page read" if args.limit else ""
    print(
        f"{len(cohort)} clients ({result.minors // 2} minors), {result.lists} option lists "
        f"(default and shown on request{bounded}), {where}"
    )
    for label, count in result.breaches().items():
        print(f"  {label:<64} {count}")
    print(f"  {'unmet needs (each with a way forward)':<64} {result.unmet}")
    print(f"  {'median options per need ranked 4':<64} {result.median_rank4_options():g}")
    bad = [
        x
        for xs in (
            result.limit_breaches,
            result.minor_adult_only,
            result.reporter_above,
            result.unmet_no_way_forward,
            result.employment_met_without_job,
        )
        for x in xs
    ]
    for x in bad[:20]:
        print("  breach:", x)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
