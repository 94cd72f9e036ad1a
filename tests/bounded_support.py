"""For the tests of a bounded list's counts through the service: a generated catalog on
which a need's options are worked out best first and stop early, so the list's
``more.count`` is an upper bound (``more.exact`` false) and reading the need's pages
rules candidates out (each page names the exclusions found for it).

The client and need are found by searching the synthetic cohort on that catalog with the
engine (never a fixed id that happens to work): one whose pages, read to the end, hold
fewer options than the list's count and name exclusions the list does not."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from api_support import PARTNER_X, PARTNER_Y

from freechoice.catalog import Catalog, Organization
from freechoice.catalog.db import Database, import_catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import load_rules, options_page, parse_assessment, propose
from freechoice.engine.cohort import synthetic_assessment_dicts

if TYPE_CHECKING:
    from freechoice.api import Settings

__all__ = ["LIMIT", "Found", "found", "generated_catalog", "with_generated_catalog"]

LIMIT = 2  # options shown per need: the rest are paged
SERVICES, SEED = 1000, 1  # large enough for best first to stop before every candidate is weighed


@lru_cache(maxsize=1)
def generated_catalog() -> Catalog:
    orgs, services = generate_services(SERVICES, seed=SEED)
    return Catalog(orgs, services, sample=True)


@dataclass(frozen=True)
class Found:
    body: dict[str, Any]  # the assessment, as POST /option-lists takes it
    need: str
    count: int  # the list's more.count for the need (at most)
    later: int  # how many later options the need's pages hold
    page_excluded: int  # exclusions the need's pages name, beyond the list's


@lru_cache(maxsize=1)
def found() -> Found:
    """The first client of the synthetic cohort, and need, where the count is an upper
    bound that the pages come in under, naming exclusions as they are read."""
    catalog, rules = generated_catalog(), load_rules()
    for body in synthetic_assessment_dicts(60, seed=2016):
        a = parse_assessment(body)
        ol = propose(a, catalog, rules, limit=LIMIT)
        for n in ol.needs:
            if n.more is None or n.more.exact:
                continue
            later = excluded = 0
            cursor: str | None = n.more.cursor
            while cursor is not None:
                page = options_page(ol, a, catalog, rules, n.need, cursor=cursor, count=LIMIT)
                later += len(page.items)
                excluded += len(page.excluded)
                cursor = page.next_cursor
            if later < n.more.count and excluded:
                return Found(body, n.need, n.more.count, later, excluded)
    raise AssertionError("no client of the cohort has a need whose count is an upper bound the pages come in under")


def with_generated_catalog(database_url: str, **values: Any) -> Settings:
    """Settings for a service on a migrated database holding the generated catalog
    (and no sample), showing ``LIMIT`` options per need."""
    from freechoice.api import Settings, create_app  # the engine's tests use the rest without the service

    given = {"catalog_check_seconds": 0, "option_limit": LIMIT, "access_log": False, "log_format": "inherit"}
    settings = Settings(database_url=database_url, **{**given, **values})
    create_app(settings).state.freechoice.close()  # migrates
    db = Database(database_url)
    catalog = generated_catalog()
    # and the partners the other tests hold keys for (no services of theirs here)
    partners = [Organization(id=org, name=f"{org} (fictional)", sample=True) for org in (PARTNER_X, PARTNER_Y)]
    with db.writing() as s:
        import_catalog(s, [*catalog.organizations.values(), *partners], list(catalog), actor="test")
    db.dispose()
    return settings
