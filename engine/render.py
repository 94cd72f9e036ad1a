"""Rendering an option list as plain text.

``render_option_list`` is for a person (caseworker and client together): the top three
options per need, each service once, what speaks for it and what to watch out for,
places and languages by name, and no ids, scores, rule ids or version hashes.
``render_detail`` is the caseworker's full view with all of those (``--detail``).
"""

from __future__ import annotations

from collections import Counter

from .compile import CompiledRules
from .forward import country_name
from .language import language_name
from .messages import message
from .options import Caution, Option, OptionList, Reason

__all__ = ["job_line", "render_detail", "render_option_list"]


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
        if n.cash_meets:
            out.append(
                f"   cash: the cash option ({ol.cash.transfers} x {ol.cash.amount_per_transfer:,.0f} "
                f"{ol.cash.currency}) can also pay for this"
            )
        if width_options is not None and len(n.options) > width_options:
            out.append(f"   ... and {len(n.options) - width_options} more option(s)")
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


def render_option_list(ol: OptionList, rules: CompiledRules | None = None, *, per_need: int = 3) -> str:
    """``ol`` for a person to read: the top ``per_need`` options per need with "N more",
    each service once (with the other needs it helps with), "why" for what speaks for
    it and "watch out" for what speaks against, places and languages by name, and no
    ids, scores, rule ids or version hashes. Pass the ``rules`` that made the list so
    that demotions count as "watch out"."""
    labels = {n.need: n.label or n.need for n in ol.needs}
    meets: dict[str, list[str]] = {}
    for n in ol.needs:
        for o in n.options:
            meets.setdefault(o.service_id, []).append(n.need)
    out = [message("view-title") + ("  [FICTIONAL SAMPLE DATA]" if ol.sample_data else ""), message("view-intro")]
    out += [message("view-take-care", text=c.text) for c in ol.cautions]
    if ol.show_all:
        out.append(message("view-show-all"))
    cash = ol.cash
    out += [
        "",
        message(
            "view-cash",
            transfers=cash.transfers,
            amount=f"{cash.amount_per_transfer:,.0f}",
            currency=cash.currency,
            paid_in=cash.paid_in + " " if cash.paid_in else "",
            conditions=cash.conditions,
        ),
    ]
    if cash.recipient == "guardian":
        out.append("   " + message("view-cash-guardian"))
    if cash.safeguarding:
        out.append(f"   {cash.safeguarding}")
    shown_at: dict[str, str] = {}
    for i, n in enumerate(ol.needs, 1):
        out.append("")
        head = message("view-priority", label=labels[n.need], priority=n.priority) if n.priority else labels[n.need]
        out.append(f"{i}. {head}")
        if n.listed_because:
            out.append(f"   {n.listed_because}")
        for j, o in enumerate(n.options[:per_need]):
            letter = chr(ord("a") + j)
            if o.service_id in shown_at:
                out.append(
                    f"   {letter}) " + message("view-shown-above", name=o.service_name, need=shown_at[o.service_id])
                )
                continue
            shown_at[o.service_id] = labels[n.need]
            avail = o.availability + (f" until {o.available_until}" if o.available_until else "")
            flag = "  (shown on request)" if o.shown_on_request else ""
            out.append(f"   {letter}) {o.service_name} - {o.provider_name}  [{avail}]{flag}")
            others = [labels[m] for m in meets[o.service_id] if m != n.need]
            if others:
                out.append("      " + message("view-also-meets", needs=", ".join(others)))
            why = [r.text for r in o.reasons if r.text and not _against(rules, r)]
            against: list[Reason | Caution] = [r for r in o.reasons if r.text and _against(rules, r)]
            if why:
                out.append("      " + message("view-why", text="; ".join(why)))
            for c in [*against, *o.cautions]:
                out.append("      " + message("view-watch-out", text=c.text))
            if o.job is not None:
                out.append(f"      job: {job_line(o)}")
            for s in o.steps:
                out.append("      " + message("view-first" if s.when == "before" else "view-after", text=s.text))
                for sc in s.cautions:
                    out.append("         " + message("view-watch-out", text=sc.text))
            langs = ", ".join(language_name(code) for code in o.languages) or "-"
            out.append("      " + message("view-where", place=_place_name(o), languages=langs, cost=_cost(o)))
        if len(n.options) > per_need:
            out.append("   " + message("view-more", count=len(n.options) - per_need))
        if n.cash_meets:
            out.append("   " + message("view-cash-also"))
        if n.unmet is not None:
            text = n.unmet.text if n.status == "no_job_yet" else message("view-no-option", text=n.unmet.text)
            out.append(f"   {text}")
            for m in n.unmet.near_misses:
                blocked = "; ".join(m.blocked_by)
                out.append(
                    "      " + message("view-near-miss", name=m.service_name, provider=m.provider_name, blocked=blocked)
                )
    if ol.by_place:
        names = {o.option_id: o.service_name for n in ol.needs for o in n.options}
        out += ["", message("view-by-place")]
        for g in ol.by_place:
            out.append(f"   {g.label}")
            for pn in g.needs:
                found = ", ".join(dict.fromkeys(names[i] for i in pn.option_ids)) or message("view-nothing-here")
                out.append(f"      {labels[pn.need]}: {found}")
    if ol.excluded:
        out += ["", message("view-left-out", count=len({e.service_id for e in ol.excluded}))]
        on_request = len({e.service_id for e in ol.excluded if e.on_request})
        if on_request and not ol.show_all:
            out.append("   " + message("view-on-request", count=on_request))
    return "\n".join(out)
