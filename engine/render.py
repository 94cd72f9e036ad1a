"""Rendering an option list as plain text.

``render_option_list`` is for a person (caseworker and client together): the top three
options per need, each service once, what speaks for it and what to watch out for,
places and languages by name, and no ids, scores, rule ids or version hashes.
``render_detail`` is the caseworker's full view with all of those (``--detail``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from freechoice.catalog import NEEDS, Catalog, partner_text

from .compile import CompiledRules
from .contact import ContactCard, contact_card
from .forward import WAY_FORWARD_TEXTS, country_name
from .language import language_name
from .messages import message, more_message
from .options import Caution, Option, OptionList, Reason
from .text import catalog_status, format_date, format_list_of, format_money, language_display_name, translator
from .text.catalogs import DEFAULT_LANGUAGE, Translator
from .text.localize import Localizer
from .text.terms import TERMS

__all__ = ["job_line", "localizer_for", "render_detail", "render_metadata", "render_option_list"]

View = Literal["client", "caseworker"]


def _place(o: Option) -> str:
    loc = o.location
    if o.remote:
        areas = ", ".join(a.get("country", "") for a in loc.get("service_areas", []))
        return f"by phone or online ({areas})"
    bits = [loc.get("city") or loc.get("area"), loc.get("country")]
    if not any(bits) and loc.get("service_areas"):
        a = loc["service_areas"][0]
        bits = [a.get("area"), a.get("country")]
    return ", ".join(b for b in bits if b)


def _cost(o: Option) -> str:
    if o.cost.get("free", True):
        return "free"
    parts = []
    for c in o.cost.get("options", []):
        if c.get("amount"):
            parts.append(f"{c['amount']:,.0f} {c.get('currency', '')}".strip())
        elif c.get("amount_description"):
            parts.append(c["amount_description"])
    return "; ".join(parts) or "fees apply"


_WAGE_VS = {"above": "above the minimum wage", "at": "at the minimum wage", "below": "BELOW the minimum wage"}


def job_line(o: Option) -> str:
    """The facts of a job option in one line a worker reads ("" for other options)."""
    j = o.job
    if j is None:
        return ""
    bits = [", ".join(s.replace("_", " ") for s in j.sectors)]
    bits.append("hires directly" if j.hire == "direct" else "through a broker")
    bits.append("charges recruitment fees" if j.charges_recruitment_fees else "no recruitment fees")
    if j.wage_monthly is not None:
        wage = f"{j.wage_monthly:,.0f} {j.currency or ''}".strip() + " a month"
        if j.wage_vs_minimum in _WAGE_VS and j.minimum_wage_monthly:
            wage += f" ({_WAGE_VS[j.wage_vs_minimum]} of {j.minimum_wage_monthly:,.0f})"
        bits.append(wage)
    else:
        bits.append("wage not stated")
    bits.append("full time" if j.full_time else "part time")
    bits.append("night work" if j.night_work else "no night work")
    bits.append("at sea" if j.at_sea else "on land")
    bits.append("light work available" if j.light_work_available else "no light work")
    bits.append("needs a work permit" if j.legal_status_required else "no work permit asked")
    return " | ".join(bits)


def render_detail(ol: OptionList, *, width_options: int | None = None) -> str:
    """The full view of ``ol`` with ids, fit scores and versions. ``width_options`` limits options shown per need."""
    out = []
    head = f"Options for client {ol.client_ref}"
    if ol.sample_data:
        head += "  [FICTIONAL SAMPLE DATA]"
    out.append(head)
    out.append(f"option list {ol.id} | {ol.rules_version} | {ol.catalog_version}")
    out.append("These are options to choose from. Nothing is decided until the client chooses.")
    for caution in ol.cautions:
        out.append(f"Take care: {caution.text}")
    if ol.show_all:
        out.append("Shown on request: options the programme warns about are included, last in each need.")
    cash = ol.cash
    out.append("")
    out.append(
        f"Cash: {cash.transfers} monthly transfers of {cash.amount_per_transfer:,.0f} {cash.currency} "
        f"({cash.basis}). {cash.paid_in + ' ' if cash.paid_in else ''}{cash.conditions}"
    )
    if cash.recipient == "guardian":
        out.append("   paid to: the child's guardian")
    if cash.safeguarding:
        out.append(f"   {cash.safeguarding}")
    if cash.plan_needs:
        out.append("   spending plan to fill in with the client, against: " + ", ".join(cash.plan_needs))
    for i, n in enumerate(ol.needs, 1):
        out.append("")
        out.append(f"{i}. {n.label or n.need} (priority {n.priority})" if n.priority else f"{i}. {n.label or n.need}")
        if n.listed_because:
            out.append(f"   listed because: {n.listed_because}")
        shown = n.options if width_options is None else n.options[:width_options]
        for j, o in enumerate(shown):
            letter = chr(ord("a") + j) if j < 26 else f"{j + 1}"
            avail = o.availability + (f" until {o.available_until}" if o.available_until else "")
            flag = "  (shown on request)" if o.shown_on_request else ""
            out.append(f"   {letter}) {o.service_name} - {o.provider_name}  [{avail}]  fit {o.score:.2f}{flag}")
            out.append(f"      id: {o.option_id}")
            why = "; ".join(r.text for r in o.reasons if r.text)
            if why:
                out.append(f"      why: {why}")
            for c in o.cautions:
                out.append(f"      take care: {c.text}")
            if o.job is not None:
                out.append(f"      job: {job_line(o)}")
            for s in o.steps:
                out.append(f"      step: {s.text}")
                for sc in s.cautions:
                    out.append(f"         take care: {sc.text}")
            langs = ", ".join(o.languages) or "-"
            out.append(f"      where: {_place(o)} | languages: {langs} | cost: {_cost(o)}")
            if o.alternatives:
                out.append("      also from this provider: " + ", ".join(a.service_name for a in o.alternatives))
        if n.cash_meets:
            out.append(
                f"   cash: the cash option ({ol.cash.transfers} x {ol.cash.amount_per_transfer:,.0f} "
                f"{ol.cash.currency}) can also pay for this"
            )
        hidden = len(n.options) - len(shown)
        if n.more is not None:
            up_to = "" if n.more.exact else "up to "  # not every later candidate weighed yet: at most
            out.append(
                f"   ... and {up_to}{hidden + n.more.count} more option(s): "
                f"GET /option-lists/{ol.id}/needs/{n.need}/options?cursor={n.more.cursor}"
            )
        elif hidden:
            out.append(f"   ... and {hidden} more option(s)")
        if n.unmet is not None:
            out.append(f"   {n.unmet.text}" if n.status == "no_job_yet" else f"   no option yet: {n.unmet.text}")
            for m in n.unmet.near_misses:
                out.append(f"      near miss: {m.service_name} ({m.provider_name}): {'; '.join(m.blocked_by)}")
    if ol.by_place:
        names = {o.option_id: o.service_name for n in ol.needs for o in n.options}
        labels = {n.need: n.label or n.need for n in ol.needs}
        out.append("")
        out.append("By place (you have not decided where to be):")
        for g in ol.by_place:
            out.append(f"   {g.label}")
            for pn in g.needs:
                found = ", ".join(names[i] for i in pn.option_ids) or "nothing found here yet"
                out.append(f"      {labels[pn.need]}: {found}")
    if ol.excluded:
        counts = Counter(e.rule for e in ol.excluded)
        summary = ", ".join(f"{rule} x{n}" for rule, n in sorted(counts.items()))
        out.append("")
        out.append(f"Left out, with reasons on request ({len(ol.excluded)}): {summary}")
        on_request = len({e.service_id for e in ol.excluded if e.on_request})
        if on_request:
            out.append(f"   {on_request} of them can be shown on request (--show-all).")
    return "\n".join(out)


def _place_name(o: Option) -> str:
    """Where the service is, with country names rather than codes."""
    loc = o.location
    if o.remote:
        countries = dict.fromkeys(country_name(a["country"]) for a in loc.get("service_areas", []) if a.get("country"))
        return "by phone or online" + (f" ({', '.join(countries)})" if countries else "")
    bits = [loc.get("city") or loc.get("area"), loc.get("country")]
    if not any(bits) and loc.get("service_areas"):
        a = loc["service_areas"][0]
        bits = [a.get("area"), a.get("country")]
    if bits[1]:
        bits[1] = country_name(bits[1])
    return ", ".join(b for b in bits if b) or "-"


def _against(rules: CompiledRules | None, note: Reason) -> bool:
    """Whether a reason speaks against the option (a demotion or a rank last)."""
    rule = rules.by_id.get(note.rule) if rules is not None else None
    return rule is not None and (bool(rule.then.demote) or rule.then.rank == "last")


def render_metadata(lang: str | None = None) -> dict[str, Any]:
    """What a rendering in ``lang`` is: the language used, whether it fell back to English,
    how its catalog was made and its review status (for API and handout metadata)."""
    t = translator(lang)
    status = catalog_status(t.language)
    return {
        "language": t.language,
        "language_name": language_display_name(t.language, t.language),
        "requested": t.requested,
        "fallback": t.is_fallback,
        "made_by": status.made_by,
        "review_status": status.review_status,
        "coverage": f"{status.translated}/{status.total}",
    }


def localizer_for(t: Translator, rules: CompiledRules | None = None) -> Localizer:
    """The :class:`~.text.localize.Localizer` for ``t``'s language, knowing the custom
    packs of ``rules`` (their own language and translations)."""
    extra: dict[str, str] = {}
    written_in: dict[str, str] = {}
    for pack in rules.packs if rules is not None else []:
        extra.update(pack.translations.get(t.language, {}))
        if pack.pack not in ("core", "default"):
            written_in.update(dict.fromkeys(pack.texts(), pack.language))
    return Localizer(t, extra, written_in)


def _job_line(o: Option, t: Translator) -> str:
    """:func:`job_line` in ``t``'s language."""
    j = o.job
    if j is None:
        return ""
    lang = t.language

    def say(key: str, **fields: Any) -> str:
        return message(key, t, **fields)

    sectors = format_list_of([t.gettext(TERMS.get(s.replace("_", " "), s.replace("_", " "))) for s in j.sectors], lang)
    bits = [sectors, say("job-direct" if j.hire == "direct" else "job-broker")]
    bits.append(say("job-fees" if j.charges_recruitment_fees else "job-no-fees"))
    if j.wage_monthly is not None:
        wage = format_money(j.wage_monthly, j.currency or "", lang)
        if j.wage_vs_minimum in ("above", "at", "below") and j.minimum_wage_monthly:
            minimum = format_money(j.minimum_wage_monthly, j.currency or "", lang)
            bits.append(say(f"job-wage-{j.wage_vs_minimum}", wage=wage, minimum=minimum))
        else:
            bits.append(say("job-wage", wage=wage))
    else:
        bits.append(say("job-no-wage"))
    bits.append(say("job-full-time" if j.full_time else "job-part-time"))
    bits.append(say("job-night" if j.night_work else "job-no-night"))
    bits.append(say("job-sea" if j.at_sea else "job-land"))
    bits.append(say("job-light" if j.light_work_available else "job-no-light"))
    bits.append(say("job-permit" if j.legal_status_required else "job-no-permit"))
    return " | ".join(bits)


def _card_lines(card: ContactCard, t: Translator, *, english_where: str | None = None) -> list[str]:
    """The contact card as lines (one fact each; a missing fact said in words)."""
    lang = t.language
    unknown = message("card-unknown", t)

    def line(key: str, value: str | None) -> str:
        return message(key, t, value=value if value else unknown)

    out = []
    if english_where is None:
        langs = format_list_of(card.staff_speak or (), lang) or "-"
        out.append(message("view-where", t, place=card.where or unknown, languages=langs, cost=card.cost or unknown))
    else:
        out.append(english_where)
    out.append(line("card-phone", card.phone))
    if card.email:
        out.append(line("card-email", card.email))
    if card.website:
        out.append(line("card-website", card.website))
    out.append(line("card-hours", "; ".join(card.opening_hours) if card.opening_hours else None))
    if card.bring is None:
        out.append(line("card-bring", None))
    else:
        out.append(line("card-bring", format_list_of(card.bring, lang) or message("card-nothing-to-bring", t)))
    out.append(line("card-meet", card.will_meet))
    out.append(line("card-who-learns", card.who_learns))
    return out


def _partner_names(o: Option, catalog: Catalog | None, lang: str) -> tuple[str, bool]:
    """ "service - organisation" in ``lang`` where the partner gave its names in it, and
    whether either is in English only (without a catalog: the names the list holds)."""
    svc = catalog.get(o.service_id) if catalog is not None else None
    if svc is None or catalog is None:
        return f"{o.service_name} - {o.provider_name}", False
    org = catalog.get_organization(svc.organization_id)
    name, name_lang = partner_text(svc, "name", lang)
    provider, provider_lang = partner_text(org, "name", lang) if org is not None else (o.provider_name, "en")
    english = lang != DEFAULT_LANGUAGE and DEFAULT_LANGUAGE in (name_lang, provider_lang)
    return f"{name} - {provider}", english


def render_option_list(
    ol: OptionList,
    rules: CompiledRules | None = None,
    *,
    per_need: int = 3,
    lang: str | None = None,
    view: View = "client",
    catalog: Catalog | None = None,
) -> str:
    """``ol`` for a person to read, in ``lang`` (default English): the cash option first
    with the monthly amount, the total and when it is paid; the top ``per_need`` options
    per need with "N more", each service once (with the other needs it helps with),
    "why" for what speaks for it and "watch out" for what speaks against, and a contact
    card per option (from ``catalog`` when given: phone, opening hours, what to bring,
    who the client meets and who learns about them; a missing fact is said so). Places,
    languages and money by name; no ids, scores, rule ids or version hashes.

    ``view="caseworker"`` adds what the client view leaves out: option ids, fit scores,
    the rules behind each option, what was left out and why, and the list's versions.
    A text with no translation yet is shown in English, marked as such. Pass the
    ``rules`` that made the list so that demotions count as "watch out"."""
    t = translator(lang)
    code = t.language
    english = code == DEFAULT_LANGUAGE
    loc = localizer_for(t, rules)

    def say(key: str, **fields: Any) -> str:
        return message(key, t, **fields)

    def show(text: str) -> str:
        found = loc(text)
        if not found.fallback:
            return found.text
        if found.language == DEFAULT_LANGUAGE:
            return found.text + " " + say("view-in-english")
        return found.text + " " + say("view-in-language", language=language_display_name(found.language, code))

    def need_label(n: Any) -> str:
        label = n.label or n.need
        return label if english else show(label)

    labels = {n.need: need_label(n) for n in ol.needs}
    meets: dict[str, list[str]] = {}
    for n in ol.needs:
        for o in n.options:
            meets.setdefault(o.service_id, []).append(n.need)
    out = [say("view-title") + ("  " + say("view-fictional") if ol.sample_data else ""), say("view-intro")]
    if t.is_fallback:
        out.append(say("view-whole-in-english"))
    elif not english and catalog_status(code).review_status.lower() != "reviewed":
        out.append(say("view-draft-translation"))
    out += [say("view-take-care", text=show(c.text)) for c in ol.cautions]
    if ol.show_all:
        out.append(say("view-show-all"))
    cash = ol.cash
    amount = format_money(cash.amount_per_transfer, cash.currency, code)
    total = format_money(cash.amount_per_transfer * cash.transfers, cash.currency, code)
    paid_in = (show(cash.paid_in) + " ") if cash.paid_in else ""
    out += [
        "",
        say(
            "view-cash-total",
            transfers=cash.transfers,
            amount=amount,
            total=total,
            paid_in=paid_in,
            conditions=show(cash.conditions),
        ),
        "   " + say("view-cash-when", transfers=cash.transfers),
    ]
    if cash.recipient == "guardian":
        out.append("   " + say("view-cash-guardian"))
    if cash.safeguarding:
        out.append(f"   {show(cash.safeguarding)}")
    if view == "caseworker":
        out.append("   " + say("cw-cash-basis", basis=show(cash.basis)))
        if cash.plan_needs:
            plan = format_list_of([labels.get(x) or _need_label(x, t) for x in cash.plan_needs], code)
            out.append("   " + say("cw-spending-plan", needs=plan))
    shown_at: dict[str, str] = {}
    for i, n in enumerate(ol.needs, 1):
        out.append("")
        head = say("view-priority", label=labels[n.need], priority=n.priority) if n.priority else labels[n.need]
        out.append(f"{i}. {head}")
        if n.listed_because:
            out.append(f"   {show(n.listed_because)}")
        for j, o in enumerate(n.options[:per_need]):
            letter = chr(ord("a") + j)
            if o.service_id in shown_at:
                out.append(f"   {letter}) " + say("view-shown-above", name=o.service_name, need=shown_at[o.service_id]))
                continue
            shown_at[o.service_id] = labels[n.need]
            availability = o.availability if english else t.gettext(TERMS[o.availability])
            if o.available_until:
                date = o.available_until if english else format_date(o.available_until, code)
                avail = say("view-until", availability=availability, date=date)
            else:
                avail = availability
            flag = "  " + say("view-shown-on-request-flag") if o.shown_on_request else ""
            both, english_only = _partner_names(o, catalog, code)
            if english_only:
                both += " " + say("view-in-english")
            out.append(f"   {letter}) {both}  [{avail}]{flag}")
            others = [labels[m] for m in meets[o.service_id] if m != n.need]
            if others:
                out.append("      " + say("view-also-meets", needs=", ".join(others)))
            why = [show(r.text) for r in o.reasons if r.text and not _against(rules, r)]
            against: list[Reason | Caution] = [r for r in o.reasons if r.text and _against(rules, r)]
            if why:
                out.append("      " + say("view-why", text="; ".join(why)))
            for c in [*against, *o.cautions]:
                out.append("      " + say("view-watch-out", text=show(c.text)))
            if o.job is not None:
                facts = _job_line(o, t)
                out.append("      " + say("job-line", facts=facts))
            for s in o.steps:
                out.append("      " + show(s.text))  # the step says "First:" or "Then:" itself
                for sc in s.cautions:
                    out.append("         " + say("view-watch-out", text=show(sc.text)))
            card = contact_card(o, catalog, code)
            english_where = None
            if english:
                langs = ", ".join(language_name(c) for c in o.languages) or "-"
                english_where = say("view-where", place=_place_name(o), languages=langs, cost=card.cost or _cost(o))
            out += ["      " + line for line in _card_lines(card, t, english_where=english_where)]
            if view == "caseworker":
                rule_ids = (
                    ", ".join(dict.fromkeys([*(r.rule for r in o.reasons), *(c.rule for c in o.cautions)])) or "-"
                )
                out.append("      " + say("cw-option", id=o.option_id, score=f"{o.score:.2f}", rules=rule_ids))
        more = max(0, len(n.options) - per_need) + (n.more.count if n.more is not None else 0)
        if more:
            out.append("   " + say(more_message(n.more), count=more))
        if n.cash_meets:
            out.append("   " + say("view-cash-also"))
        if n.unmet is not None:
            out += ["   " + line for line in _unmet_lines(n, show, say)]
    if ol.by_place:
        names = {o.option_id: o.service_name for n in ol.needs for o in n.options}
        out += ["", say("view-by-place")]
        for g in ol.by_place:
            out.append(f"   {show(g.label)}")
            for pn in g.needs:
                found = ", ".join(dict.fromkeys(names[i] for i in pn.option_ids)) or say("view-nothing-here")
                out.append(f"      {labels[pn.need]}: {found}")
    if ol.excluded:
        out += ["", say("view-left-out", count=len({e.service_id for e in ol.excluded}))]
        on_request = len({e.service_id for e in ol.excluded if e.on_request})
        if on_request and not ol.show_all:
            out.append("   " + say("view-on-request", count=on_request))
    if view == "caseworker":
        out += [
            "",
            say("cw-head"),
            "   " + say("cw-list", id=ol.id, rules_version=ol.rules_version, catalog_version=ol.catalog_version),
        ]
        for e in ol.excluded:
            out.append(
                "   " + say("cw-left-out", name=e.service_name or e.service_id, reason=f"{show(e.text)} [{e.rule}]")
            )
    return "\n".join(out)


def _need_label(need: str, t: Translator) -> str:
    return t.gettext(NEEDS[need].label) if need in NEEDS else need


def _unmet_lines(n: Any, show: Any, say: Any) -> list[str]:
    """An unmet need: its text and ways forward (each translated on its own), and what stands in the way."""
    unmet = n.unmet
    ways = [w.text for w in unmet.ways_forward]
    lead = WAY_FORWARD_TEXTS["lead"]
    suffix = f" {lead} " + " ".join(ways)
    if ways and unmet.text.endswith(suffix):
        text = show(unmet.text[: -len(suffix)]) + " " + show(lead) + " " + " ".join(show(w) for w in ways)
    else:
        text = show(unmet.text)
    out = [text if n.status == "no_job_yet" else say("view-no-option", text=text)]
    for m in unmet.near_misses:
        blocked = "; ".join(show(b) for b in m.blocked_by)
        out.append("   " + say("view-near-miss", name=m.service_name, provider=m.provider_name, blocked=blocked))
    return out
