"""The handout's words: partners' texts in the client's language or marked English,
only the chosen options after a choice, and a page that shows text, never markup."""

from __future__ import annotations

from freechoice.catalog import Catalog, Organization, Service
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.handout import handout, handout_html
from freechoice.engine.text import translator

ORG = Organization(id="org-h", name="Harbour <b>Kitchens</b> (fictional)", translations={"th": {"name": "ครัวท่าเรือ"}})
KITCHEN = Service(
    id="svc-h-kitchen",
    organization_id="org-h",
    name="Dockside kitchen <script>alert(1)</script>",
    description="Hot meals.",
    application_process="Just come in.",
    kinds=["food.meals"],
    service_areas=[{"country": "TH", "area": "Songkhla"}],
    languages=["th", "my"],
    translations={"th": {"name": "ครัวริมท่า", "application_process": "เข้ามาได้เลย"}},
)
SHELTER = Service(
    id="svc-h-shelter",
    organization_id="org-h",
    name="Harbour shelter",
    kinds=["housing.shelter"],
    service_areas=[{"country": "TH", "area": "Songkhla"}],
    languages=["th", "my"],
)
CATALOG = Catalog([ORG], [KITCHEN, SHELTER], sample=True)
OL = propose(
    parse_assessment(
        {
            "client_ref": "c-h",
            "needs": {"food": 4, "housing": 3},
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["th"], "age": 30},
        }
    ),
    CATALOG,
    load_rules(None),
)


def _cards(sheet):
    return [c for s in sheet.sections for c in s.cards]


def test_partner_texts_come_in_the_clients_language_and_english_only_texts_say_so():
    sheet = handout(OL, lang="th", catalog=CATALOG)
    kitchen, shelter = _cards(sheet)
    assert (kitchen.name.text, kitchen.name.lang, kitchen.name.note) == ("ครัวริมท่า", "th", None)
    assert kitchen.provider.text == "ครัวท่าเรือ"
    how = kitchen.lines[0]
    assert how.value.text == "เข้ามาได้เลย" and how.value.lang == "th"
    # given only in English: shown, and marked in the client's language
    note = translator("th").gettext("(in English: no translation yet)")
    assert kitchen.description is not None and kitchen.description.lang == "en" and kitchen.description.note == note
    assert shelter.name.text == "Harbour shelter" and shelter.name.lang == "en" and shelter.name.note == note
    # in Burmese nothing was given: every partner text is the English one, marked
    my = _cards(handout(OL, lang="my", catalog=CATALOG))[0]
    assert my.name.lang == "en" and my.name.note and my.lines[0].value.lang == "en"


def test_after_a_choice_only_the_chosen_options_and_the_cash_if_chosen():
    kitchen = next(o.option_id for n in OL.needs for o in n.options if o.service_id == "svc-h-kitchen")
    sheet = handout(OL, lang="en", catalog=CATALOG, chosen=[kitchen])
    assert [c.name.text for c in _cards(sheet)] == [KITCHEN.name] and sheet.cash == ()
    assert sheet.title.text == "What you chose"
    with_cash = handout(OL, lang="en", catalog=CATALOG, chosen=["cash"])
    assert _cards(with_cash) == [] and with_cash.cash[0].text == "You chose the cash transfers."
    everything = handout(OL, lang="en", catalog=CATALOG)
    assert len(_cards(everything)) == 2 and everything.cash


def test_the_page_shows_partner_text_as_text_never_as_markup():
    page = handout_html([handout(OL, lang="th", catalog=CATALOG), handout(OL, lang="en", catalog=CATALOG)])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Kitchens</b>" not in page and "Harbour &lt;b&gt;Kitchens&lt;/b&gt; (fictional)" in page
    assert page.count('<div lang="th">') == page.count('<div lang="en" class="cw">') > 1


def test_the_text_view_gives_partner_names_in_the_clients_language_and_marks_english_only_ones():
    from freechoice.engine.render import render_option_list

    text = render_option_list(OL, load_rules(None), lang="th", catalog=CATALOG)
    marker = translator("th").gettext("(in English: no translation yet)")
    (kitchen,) = [line for line in text.splitlines() if "ครัวริมท่า - ครัวท่าเรือ" in line]
    assert marker not in kitchen
    (shelter,) = [line for line in text.splitlines() if "Harbour shelter - ครัวท่าเรือ" in line]
    assert marker in shelter
    english = render_option_list(OL, load_rules(None), lang="en", catalog=CATALOG)
    assert "Harbour shelter - Harbour <b>Kitchens</b> (fictional)" in english and "no translation yet" not in english


def test_a_need_with_more_options_than_shown_says_how_many_more():
    kitchens = [KITCHEN.model_copy(update={"id": f"svc-h-kitchen-{i}", "translations": {}}) for i in range(4)]
    catalog = Catalog([ORG], kitchens)
    ol = propose(
        parse_assessment(
            {
                "client_ref": "c-more",
                "needs": {"food": 4},
                "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["th"], "age": 30},
            }
        ),
        catalog,
        load_rules(None),
    )
    (food,) = handout(ol, lang="en", catalog=catalog).sections
    assert len(food.cards) == 3 and food.more is not None and "1 more" in food.more.text
    chosen = handout(ol, lang="en", catalog=catalog, chosen=[o.option_id for o in ol.needs[0].options])
    assert len(chosen.sections[0].cards) == 4 and chosen.sections[0].more is None


def _more_words(ol, catalog, rules, need: str, lang: str = "en") -> tuple[str, str, str]:
    """What the handout, the client's text view and the caseworker's detail say of
    ``need``'s further options."""
    from freechoice.engine.render import render_detail, render_option_list

    n = next(x for x in ol.needs if x.need == need)
    label = translator(lang).gettext(n.label or n.need)
    (section,) = [s for s in handout(ol, lang=lang, catalog=catalog, rules=rules).sections if s.heading.text == label]
    assert section.more is not None
    view = render_option_list(ol, rules, lang=lang, catalog=catalog).splitlines()
    heading = next(i for i, line in enumerate(view) if label in line and not line.startswith(" "))
    (text,) = [line.strip() for line in view[heading:] if line.strip().startswith("...")][:1]
    (detail,) = [line.strip() for line in render_detail(ol).splitlines() if f"/needs/{need}/options?" in line]
    return section.more.text, text, detail


def test_a_count_that_is_an_upper_bound_says_up_to_and_an_exact_one_does_not():
    """Best first stops before weighing every candidate: the list's count of a need's
    further options is then at most that many, and every view says "up to"; a count that
    is exact keeps the plain words."""
    from bounded_support import LIMIT, found, generated_catalog

    from freechoice.engine.cohort import synthetic_cohort

    f = found()
    catalog, rules = generated_catalog(), load_rules()
    ol = propose(parse_assessment(f.body), catalog, rules, limit=LIMIT)
    n = next(x for x in ol.needs if x.need == f.need)
    assert n.more is not None and n.more.exact is False and n.more.count == f.count
    sheet, text, detail = _more_words(ol, catalog, rules, f.need)
    assert sheet == text == f"... and up to {f.count} more (ask your caseworker to see them)"
    assert detail.startswith(f"... and up to {f.count} more option(s): GET /option-lists/{ol.id}/needs/{f.need}/")
    thai, _, _ = _more_words(ol, catalog, rules, f.need, "th")
    assert f"ไม่เกิน {f.count}" in thai  # "not more than", in the client's language
    # a count that is exact (every later candidate weighed) keeps the plain words
    for a in synthetic_cohort(20):
        other = propose(a, catalog, rules, limit=LIMIT)
        exact = next((x for x in other.needs if x.more is not None and x.more.exact and x.options), None)
        if exact is not None:
            break
    assert exact is not None and exact.more is not None, "some need of the cohort has an exact count"
    sheet, text, detail = _more_words(other, catalog, rules, exact.need)
    assert sheet == text == f"... and {exact.more.count} more (ask your caseworker to see them)"
    assert detail.startswith(f"... and {exact.more.count} more option(s): GET ")
