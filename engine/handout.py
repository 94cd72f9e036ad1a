"""The printable handout: what a client takes home, in their language.

:func:`handout` builds, for one language, the words of the handout from an option list
(the whole list, or only what the client chose) and the catalog: the cash option, then
per need one contact card per option (name, what it is, how to apply, where, phone,
opening hours, what to bring, cost, who the client meets and who learns about them,
and what to watch out for). Every text carries the language it is in: a partner's
text or an engine text with no translation yet stays English and says so.

:func:`handout_html` renders one or two such sheets (the client's language, and the
caseworker's beside it) as one self-contained, print-ready HTML page (A4, Noto fonts of
the clients' scripts, nothing fetched from anywhere: no fonts, images or scripts).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jinja2

from freechoice.catalog import Catalog, Organization, Service, partner_text

from .compile import CompiledRules
from .contact import CONTACT_TEXTS, contact_card
from .messages import MESSAGES, more_message
from .options import Option, OptionList
from .text import N_, catalog_status, format_date, format_list_of, format_money, language_display_name, translator
from .text.catalogs import DEFAULT_LANGUAGE, Translator
from .text.localize import Localizer
from .text.terms import TERMS

__all__ = ["Card", "HANDOUT_TEXTS", "Line", "Section", "Sheet", "Words", "handout", "handout_html"]

HANDOUT_TEXTS = {
    "title-chosen": N_("What you chose"),
    "keep": N_("Keep this paper. You can go to any of these places yourself, or ask your caseworker."),
    "made-on": N_("Made on {date}"),
    "how-to-apply": N_("how to apply: {value}"),
    "where": N_("where: {value}"),
    "staff-speak": N_("staff speak: {value}"),
    "cost": N_("cost: {value}"),
    "cash-chosen": N_("You chose the cash transfers."),
}

_SENTINEL = "\x00"


@dataclass(frozen=True, slots=True)
class Words:
    """A text and the language it is in. ``note`` (in the sheet's language) says when it
    is not in the sheet's language; ``verbatim`` marks names, addresses and contact
    details shown as written."""

    text: str
    lang: str
    note: str | None = None
    verbatim: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """A labelled fact: ``before`` + ``value`` + ``after`` reads as one sentence, in
    ``lang`` (English, with ``note``, where the label has no translation yet)."""

    before: str
    value: Words
    after: str
    lang: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """One option: what it is and how the client reaches it."""

    name: Words
    provider: Words
    description: Words | None
    lines: tuple[Line, ...]
    cautions: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: Words
    cards: tuple[Card, ...]
    more: Words | None = None


@dataclass(frozen=True, slots=True)
class Sheet:
    """The handout's words in one language."""

    lang: str
    language_name: str
    title: Words
    intro: Words
    notices: tuple[Words, ...]
    cash: tuple[Words, ...]
    sections: tuple[Section, ...]
    made_on: Words | None


class _Say:
    """The sheet's language: messages, texts of the option list, partners' texts, each
    with the language it came out in."""

    def __init__(self, t: Translator, rules: CompiledRules | None) -> None:
        self.t = t
        self.lang = t.language
        extra: dict[str, str] = {}
        if rules is not None and self.lang != DEFAULT_LANGUAGE:
            for pack in rules.packs:
                extra.update(pack.translations.get(self.lang, {}))
        self.loc = Localizer(t, extra)
        self.in_english = t.gettext(MESSAGES["view-in-english"])

    def _lang_of(self, msgid: str) -> str:
        return self.lang if self.t.has(msgid) else DEFAULT_LANGUAGE

    def msg(self, msgid: str, **fields: object) -> Words:
        """The message ``msgid`` filled in, in the sheet's language where translated."""
        return self.words(self.t.gettext(msgid).format(**fields), self._lang_of(msgid))

    def own(self, key: str, **fields: object) -> Words:
        return self.msg(HANDOUT_TEXTS[key], **fields)

    def said(self, key: str, **fields: object) -> Words:
        return self.msg(MESSAGES[key], **fields)

    def words(self, text: str, lang: str, *, verbatim: bool = False) -> Words:
        """``text`` in ``lang``: marked when that is not the sheet's language."""
        note = self.in_english if lang != self.lang else None
        return Words(text, lang, note, verbatim)

    def engine_text(self, text: str) -> Words:
        found = self.loc(text)
        return self.words(found.text, DEFAULT_LANGUAGE if found.fallback else self.lang)

    def line(self, msgid: str, value: Words, field: str = "value") -> Line:
        template = self.t.gettext(msgid)
        before, _, after = template.format(**{field: _SENTINEL}).partition(_SENTINEL)
        lang = self._lang_of(msgid)
        if lang != self.lang and value.note is not None:
            value = Words(value.text, value.lang, None, value.verbatim)  # one mark for the whole line
        return Line(before, value, after, lang, self.in_english if lang != self.lang else None)

    def own_line(self, key: str, value: Words) -> Line:
        return self.line(HANDOUT_TEXTS[key], value)

    def card_line(self, key: str, value: Words) -> Line:
        return self.line(MESSAGES[key], value)


def _partner(say: _Say, record: Service | Organization | None, field: str, fallback: str) -> Words:
    if record is None:
        return say.words(fallback, DEFAULT_LANGUAGE, verbatim=True)
    text, lang = partner_text(record, field, say.lang)
    return say.words(text, lang, verbatim=lang == DEFAULT_LANGUAGE and field == "name")


def _bring(say: _Say, svc: Service) -> Words:
    t = say.t
    if not svc.required_documents and not svc.eligibility.documents_required:
        return say.said("card-nothing-to-bring")
    names: list[str] = []
    ids: list[str] = []
    english = False
    for doc in svc.required_documents:
        if doc.code != "other" and doc.code in TERMS:
            ids.append(TERMS[doc.code])
        else:
            names.append(doc.document)  # the partner's own words for it
            english = True
    if not svc.required_documents:
        ids = [TERMS[c] for c in svc.eligibility.documents_required if c in TERMS]
    names = [t.gettext(i) for i in ids] + names
    english = english or not all(t.has(i) for i in ids)
    return say.words(format_list_of(dict.fromkeys(names), say.lang), DEFAULT_LANGUAGE if english else say.lang)


#: the messages each fact of a contact card is made of (a fact is marked English
#: unless all of them have a translation)
_CARD_IDS = {
    "cost": (CONTACT_TEXTS["free"], CONTACT_TEXTS["fees"]),
    "remote": (CONTACT_TEXTS["remote"], CONTACT_TEXTS["remote-in"]),
    "people": (
        CONTACT_TEXTS["staff-only"],
        CONTACT_TEXTS["the-party"],
        CONTACT_TEXTS["nobody"],
        CONTACT_TEXTS["with-consent"],
        CONTACT_TEXTS["must-report"],
        *(TERMS[p] for p in ("police", "immigration", "employer", "broker", "suspect")),
    ),
    "hours": (CONTACT_TEXTS["hours"], CONTACT_TEXTS["every-day"]),
}


def _card(say: _Say, o: Option, catalog: Catalog | None) -> Card:
    lang = say.lang
    svc = catalog.get(o.service_id) if catalog is not None else None
    org = catalog.get_organization(svc.organization_id) if catalog is not None and svc is not None else None
    card = contact_card(o, catalog, lang)
    unknown = say.said("card-unknown")

    def fact(text: str | None, ids: str | None = None, *, verbatim: bool = False) -> Words:
        if not text:
            return unknown
        done = ids is None or lang == DEFAULT_LANGUAGE or all(say.t.has(i) for i in _CARD_IDS[ids])
        return say.words(text, lang if done else DEFAULT_LANGUAGE, verbatim=verbatim)

    lines: list[Line] = []
    if svc is not None:
        how = _partner(say, svc, "application_process", "")
        if how.text:
            lines.append(say.own_line("how-to-apply", how))
    # an address as written (a place is shown by its name, not translated)
    where = fact(card.where, "remote") if o.remote else fact(card.where, verbatim=True)
    lines.append(say.own_line("where", where))
    lines.append(say.card_line("card-phone", fact(card.phone, verbatim=True)))
    if card.email:
        lines.append(say.card_line("card-email", fact(card.email, verbatim=True)))
    if card.website:
        lines.append(say.card_line("card-website", fact(card.website, verbatim=True)))
    if card.opening_hours:
        as_written = {x.description for x in svc.schedules if x.description} if svc is not None else set()
        if lang != DEFAULT_LANGUAGE and any(h in as_written for h in card.opening_hours):
            hours = say.words("; ".join(card.opening_hours), DEFAULT_LANGUAGE)
        else:
            hours = fact("; ".join(card.opening_hours), "hours")
    else:
        hours = unknown
    lines.append(say.card_line("card-hours", hours))
    lines.append(say.card_line("card-bring", _bring(say, svc) if svc is not None else unknown))
    lines.append(say.own_line("cost", fact(card.cost, "cost")))
    if card.staff_speak:
        lines.append(say.own_line("staff-speak", fact(format_list_of(card.staff_speak, lang))))
    lines.append(say.card_line("card-meet", fact(card.will_meet, "people")))
    lines.append(say.card_line("card-who-learns", fact(card.who_learns, "people")))
    cautions = tuple(
        say.line(MESSAGES["view-watch-out"], say.engine_text(c.text), "text") for c in o.cautions if c.text
    )
    description = _partner(say, svc, "description", "") if svc is not None and svc.description else None
    return Card(
        name=_partner(say, svc, "name", o.service_name),
        provider=_partner(say, org, "name", o.provider_name),
        description=description,
        lines=tuple(lines),
        cautions=cautions,
    )


def _cash(say: _Say, ol: OptionList) -> tuple[Words, ...]:
    cash = ol.cash
    lang = say.lang
    amount = format_money(cash.amount_per_transfer, cash.currency, lang)
    total = format_money(cash.amount_per_transfer * cash.transfers, cash.currency, lang)
    head = say.said("view-cash-total", transfers=cash.transfers, amount=amount, total=total, paid_in="", conditions="")
    out = [Words(head.text.strip(), head.lang, head.note)]
    out += [say.engine_text(x) for x in (cash.paid_in, cash.conditions) if x]
    out.append(say.said("view-cash-when", transfers=cash.transfers))
    if cash.recipient == "guardian":
        out.append(say.said("view-cash-guardian"))
    if cash.safeguarding:
        out.append(say.engine_text(cash.safeguarding))
    return tuple(out)


def handout(
    ol: OptionList,
    *,
    lang: str | None = None,
    catalog: Catalog | None = None,
    chosen: Collection[str] | None = None,
    rules: CompiledRules | None = None,
    per_need: int = 3,
) -> Sheet:
    """The handout of ``ol`` in ``lang``: with ``chosen`` (option ids, ``"cash"`` for the
    cash option), only those options; otherwise the top ``per_need`` options of each
    need, each service once. Contact facts come from ``catalog`` when given (else
    only what the option list holds)."""
    t = translator(lang)
    say = _Say(t, rules)
    code = t.language
    notices: list[Words] = []
    if ol.sample_data:
        notices.append(say.said("view-fictional"))
    if t.is_fallback:
        notices.append(say.said("view-whole-in-english"))
    elif code != DEFAULT_LANGUAGE and catalog_status(code).review_status.lower() != "reviewed":
        notices.append(say.said("view-draft-translation"))
    picked = set(chosen) if chosen is not None else None
    sections: list[Section] = []
    seen: set[str] = set()
    for n in ol.needs:
        options = [o for o in n.options if picked is None or o.option_id in picked]
        cards = []
        for o in options if picked is not None else options[:per_need]:
            if o.service_id in seen:
                continue
            seen.add(o.service_id)
            cards.append(_card(say, o, catalog))
        more = None
        # a bounded list's later options (``more``) count as well: nothing is hidden, only paged
        later = max(0, len(options) - per_need) + (n.more.count if n.more is not None else 0)
        if picked is None and later:
            more = say.said(more_message(n.more), count=later)
        if cards:
            sections.append(Section(say.engine_text(n.label or n.need), tuple(cards), more))
    cash: tuple[Words, ...] = ()
    if picked is None or "cash" in picked:
        cash = _cash(say, ol)
        if picked is not None:
            cash = (say.own("cash-chosen"), *cash)
    return Sheet(
        lang=code,
        language_name=language_display_name(code, code),
        title=say.own("title-chosen") if picked is not None else say.said("view-title"),
        intro=say.own("keep") if picked is not None else say.said("view-intro"),
        notices=tuple(notices),
        cash=cash,
        sections=tuple(sections),
        made_on=say.own("made-on", date=format_date(ol.created_at[:10], code)) if ol.created_at else None,
    )


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("freechoice.engine", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["zip"] = zip
    return env


def handout_html(sheets: Sequence[Sheet]) -> str:
    """One self-contained HTML page: the first sheet (the client's language), with any
    second sheet (the caseworker's language) beside it, block by block."""
    if not sheets:
        raise ValueError("a handout needs at least one sheet")
    blocks = [
        (heads, list(zip(*(section.cards for section in heads), strict=True)))
        for heads in zip(*(sheet.sections for sheet in sheets), strict=True)
    ]
    page = _environment().get_template("handout.html.j2")
    return page.render(sheets=list(sheets), main=sheets[0], blocks=blocks)
