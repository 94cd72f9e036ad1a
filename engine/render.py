"""Rendering an option list as plain text for a person (caseworker and client together)."""

from __future__ import annotations

from collections import Counter

from .options import Option, OptionList

__all__ = ["job_line", "render_option_list"]


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


def render_option_list(ol: OptionList, *, width_options: int | None = None) -> str:
    """Render ``ol`` as readable text. ``width_options`` limits options shown per need."""
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
