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
