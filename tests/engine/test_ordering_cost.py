"""Ordering at national scale works out only what it reads (issue 14 item 1's cost):
match facts when a rule tests them, a rule's words when an option is built, a service's
place from parts worked out once per service. Each shortcut says exactly what the long
way says, for generated clients and catalogs."""

from __future__ import annotations

from assessment_strategies import PLACES, assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog.codes import normalise_area
from freechoice.engine import load_rules, lookups, propose
from freechoice.engine.compile import render_text
from freechoice.engine.ordering import is_job, place_rank
from freechoice.engine.predicates import ClientView, MatchFacts, card_profile, match_facts, service_place_rank
from freechoice.engine.rows import candidate_buckets, group_kind, unique_rows

RULES = load_rules()
PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXTS = sorted(
    {t for r in RULES.rules for t in (r.then.exclude, r.then.caution, r.then.on_request, r.then.reason) if t}
)


@PROPS
@given(a=assessments(), cat=catalogs(min_size=10, max_size=40), order=st.randoms(use_true_random=False))
def test_match_facts_read_one_by_one_are_the_full_facts(a, cat, order) -> None:
    """Facts read in any order, and every rule text filled from them, are what the full
    facts give: a rule tests, and a client reads, the same thing either way."""
    cv = ClientView.of(a)
    for svc in cat:
        full = match_facts(cv, svc)
        lazy = MatchFacts(cv, svc)
        keys = list(full)
        order.shuffle(keys)
        assert {k: lazy[k] for k in keys} == full
        fresh = MatchFacts(cv, svc)  # nothing read yet: texts read what they name
        for text in TEXTS:
            assert render_text(text, service=svc, match=fresh) == render_text(text, service=svc, match=full)


@PROPS
@given(cat=catalogs(min_size=10, max_size=40), places=st.lists(st.sampled_from(PLACES), min_size=1, max_size=3))
def test_place_from_the_services_parts_is_its_place(cat, places) -> None:
    normal = [(c, normalise_area(a)) for c, a in places]
    for svc in cat:
        assert service_place_rank(svc, normal) == place_rank(svc, places)


@PROPS
@given(a=assessments(), cat=catalogs(min_size=20, max_size=80))
def test_built_options_carry_every_fired_rules_words(a, cat) -> None:
    """Words are filled in only for options that are built, yet every built option (and
    every step's provider) carries them: a bounded list's options read exactly as the
    same options of the unbounded list."""
    full = propose(a, cat, RULES)
    bounded = propose(a, cat, RULES, limit=2)
    for need_full, need_bounded in zip(full.needs, bounded.needs, strict=True):
        for got, want in zip(need_bounded.options, need_full.options[:2], strict=True):
            assert got.model_dump() == want.model_dump()
    # a bounded list names the exclusions found for its shown options (its pages the rest)
    assert all(e in full.excluded for e in bounded.excluded)


@PROPS
@given(
    cat=catalogs(min_size=10, max_size=40),
    places=st.lists(st.sampled_from(PLACES), min_size=1, max_size=2),
    data=st.data(),
)
def test_kept_lookups_follow_every_catalog_change(cat, places, data) -> None:
    """The catalog's answers kept for many lists are the catalog's answers now: a service
    withdrawn or moved is never offered from an answer kept from before."""
    kinds = sorted({k for s in cat for k in s.kinds})
    asked = data.draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3, unique=True))
    country = places[0][0]
    if data.draw(st.booleans()):
        # as a catalog that keeps its own answers (the database-backed one): nothing kept
        # per version, rows kept by their services' serials
        cat.keeps_answers = True
    for _ in range(3):
        assert lookups.candidates(cat, asked, places) == cat.candidates(asked, places)
        _assert_rows_are_the_catalogs(cat, frozenset(asked), places)
        assert lookups.in_country(cat, asked, country) == cat.in_country(asked, country)
        active = sorted(s.id for s in cat if s.status == "active")
        if not active:
            break
        sid = data.draw(st.sampled_from(active))
        if data.draw(st.booleans()):
            cat.deactivate_service(sid)
        else:
            svc = cat.service(sid)
            change = data.draw(st.sampled_from(["kinds", "full", "remote"]))
            if change == "kinds":
                update = {"kinds": [data.draw(st.sampled_from(kinds))]}
            elif change == "full":
                update = {"capacity": svc.capacity.model_copy(update={"status": "full"})}
            else:
                update = {"remote": not svc.remote}
            cat.upsert_service(svc.model_copy(update=update))


def _assert_rows_are_the_catalogs(cat, kinds: frozenset[str], places) -> None:
    """The rows kept for a need's candidates (engine/rows.py) are the catalog's candidates
    now, each with its card, rule tags, remote group and record facts as they are now."""
    buckets = candidate_buckets(cat, RULES, kinds, places)
    rows = unique_rows(buckets)
    assert sorted(r.sid for r in rows) == sorted(cat.candidates(kinds, places))
    tags = RULES.service_tags(cat, [r.sid for r in rows])
    groups: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        card = cat.card(r.sid)
        assert r.card is card and r.tags == tags[r.sid] and r.profile == card_profile(card) and r.job == is_job(card)
        assert r.group == ((card.organization_id, group_kind(card, kinds)) if card.remote else None)
        if r.group is not None:
            groups.setdefault(r.group, set()).add(r.sid)
    for g, members in groups.items():
        found = [m for b in buckets for m in b.remote.get(g, ())]
        assert set(found) == members
