"""The donor report: for a period, an anonymised account of the cash-plus work.

Three parts, from :class:`~freechoice.engine.casework.measures.CaseRecord` s:

- transfers with their proofs (the payment reference), due and paid in the period;
- spending plans against actual spending, need by need (the latest plan version and
  what the clients said they spent at follow-ups in the period);
- case notes and the clients' own words from follow-ups in the period, passed
  through :func:`~freechoice.engine.casework.redact.redact`.

Clients appear as report-local case numbers (``case-001``), never by reference.
Render with :func:`report_csv` or :func:`report_html` (one self-contained page that
prints well). The service audits every export.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import NEEDS

from .measures import CaseRecord
from .money import money_text
from .programme import Programme
from .redact import redact
from .transfers import transfer_states

__all__ = [
    "CSV_COLUMNS",
    "DonorNote",
    "DonorPlanLine",
    "DonorReport",
    "DonorTransfer",
    "donor_report",
    "report_csv",
    "report_html",
]


class DonorTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case: str
    number: int
    due_on: dt.date
    amount: Decimal
    currency: str
    method: str
    status: str
    paid_on: dt.date | None = None
    paid_amount: Decimal | None = None
    reference: str | None = Field(default=None, description="The proof of payment")


class DonorPlanLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case: str
    need: str
    planned: Decimal
    spent: Decimal
    currency: str


class DonorNote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case: str
    on: dt.date
    kind: str = Field(description="case_note or client_words")
    text: str


class DonorReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization: str
    period_from: dt.date
    period_to: dt.date
    generated_on: dt.date
    cases: int
    transfers: list[DonorTransfer]
    plans: list[DonorPlanLine]
    notes: list[DonorNote]

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """Currency -> scheduled and paid totals of the transfers in the report."""
        out: dict[str, dict[str, Decimal]] = {}
        for t in self.transfers:
            acc = out.setdefault(t.currency, {"scheduled": Decimal(0), "paid": Decimal(0)})
            acc["scheduled"] += t.amount
            acc["paid"] += t.paid_amount or Decimal(0)
        return out


def _in(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def donor_report(
    cases: Iterable[CaseRecord],
    period_from: dt.date,
    period_to: dt.date,
    *,
    organization: str,
    programme: Programme,
    today: dt.date,
) -> DonorReport:
    """The anonymised report for cases active in ``[period_from, period_to]``."""
    if period_to < period_from:
        raise ValueError("period_to is before period_from")
    active = []
    for c in sorted(cases, key=lambda c: (c.started_on, c.client_ref)):
        dates = [t.due_on for t in c.transfers] + [p.paid_on for p in c.payments] + [f.on for f in c.follow_ups]
        if any(_in(d, period_from, period_to) for d in dates):
            active.append(c)
    transfers, plans, notes = [], [], []
    for i, c in enumerate(active, start=1):
        case = f"case-{i:03d}"
        currency = c.transfers[0].currency if c.transfers else ""
        for st in transfer_states(c.transfers, c.payments, min(today, period_to), programme):
            p = st.payment
            if not (
                _in(st.transfer.due_on, period_from, period_to) or _in(p.paid_on if p else None, period_from, period_to)
            ):
                continue
            transfers.append(
                DonorTransfer(
                    case=case,
                    number=st.transfer.number,
                    due_on=st.transfer.due_on,
                    amount=st.transfer.amount,
                    currency=st.transfer.currency,
                    method=p.method if p else st.transfer.method,
                    status=st.status,
                    paid_on=p.paid_on if p else None,
                    paid_amount=p.amount if p else None,
                    reference=p.reference if p else None,
                )
            )
        in_period = [f for f in sorted(c.follow_ups, key=lambda f: f.on) if _in(f.on, period_from, period_to)]
        spent: dict[str, Decimal] = {}
        for f in in_period:
            for need, amount in f.spent.items():
                spent[need] = spent.get(need, Decimal(0)) + amount
        planned = {line.need: line.amount for line in c.plan}
        for need in [n for n in NEEDS if n in planned or n in spent]:
            plans.append(
                DonorPlanLine(
                    case=case,
                    need=NEEDS[need].label,
                    planned=planned.get(need, Decimal(0)),
                    spent=spent.get(need, Decimal(0)),
                    currency=currency,
                )
            )
        for f in in_period:
            if f.note:
                notes.append(DonorNote(case=case, on=f.on, kind="case_note", text=redact(f.note)))
            if f.words:
                notes.append(DonorNote(case=case, on=f.on, kind="client_words", text=redact(f.words)))
    return DonorReport(
        organization=organization,
        period_from=period_from,
        period_to=period_to,
        generated_on=today,
        cases=len(active),
        transfers=transfers,
        plans=plans,
        notes=notes,
    )


CSV_COLUMNS = (
    "section",
    "case",
    "date",
    "number",
    "need",
    "amount",
    "paid_amount",
    "planned",
    "spent",
    "currency",
    "method",
    "status",
    "reference",
    "text",
)


def report_csv(report: DonorReport) -> str:
    """One CSV: a row per transfer, plan line and note (``section`` says which)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()

    def s(v: object) -> str:
        return "" if v is None else str(v)

    for t in report.transfers:
        w.writerow(
            {
                "section": "transfer",
                "case": t.case,
                "date": s(t.paid_on or t.due_on),
                "number": t.number,
                "amount": s(t.amount),
                "paid_amount": s(t.paid_amount),
                "currency": t.currency,
                "method": t.method,
                "status": t.status,
                "reference": s(t.reference),
            }
        )
    for p in report.plans:
        w.writerow(
            {
                "section": "plan",
                "case": p.case,
                "need": p.need,
                "planned": s(p.planned),
                "spent": s(p.spent),
                "currency": p.currency,
            }
        )
    for n in report.notes:
        w.writerow({"section": n.kind, "case": n.case, "date": s(n.on), "text": n.text})
    return buf.getvalue()


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}p.note{font-size:.85rem;color:#333}
@media print{body{margin:1cm}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def report_html(report: DonorReport) -> str:
    """One self-contained printable page (no scripts, no outside files)."""
    e = html.escape

    def table(head: list[str], rows: list[list[tuple[str, bool]]]) -> str:
        if not rows:
            return "<p>None in this period.</p>"
        th = "".join(f"<th>{e(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td{' class=n' if num else ''}>{e(v)}</td>" for v, num in r) + "</tr>" for r in rows
        )
        return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

    def d(v: object) -> str:
        return "" if v is None else str(v)

    totals = "; ".join(
        f"{money_text(v['paid'], cur)} paid of {money_text(v['scheduled'], cur)} scheduled"
        for cur, v in sorted(report.totals().items())
    )
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>Donor report {e(str(report.period_from))} to {e(str(report.period_to))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Cash-plus donor report: {e(report.organization)}</h1>",
        f"<p>Period {e(str(report.period_from))} to {e(str(report.period_to))}; generated {e(str(report.generated_on))}; "
        f"{report.cases} cases. Anonymised: clients appear as case numbers; names, places below province, phone "
        "numbers, e-mail addresses and ID numbers are removed from notes.</p>",
        f"<p>{e(totals) or 'No transfers in this period.'}</p>",
        "<h2>Transfers and proofs of payment</h2>",
        table(
            ["Case", "Transfer", "Due", "Amount", "Status", "Paid on", "Paid", "Method", "Proof (reference)"],
            [
                [
                    (t.case, False),
                    (str(t.number), True),
                    (d(t.due_on), False),
                    (money_text(t.amount, t.currency), True),
                    (t.status, False),
                    (d(t.paid_on), False),
                    (money_text(t.paid_amount, t.currency) if t.paid_amount is not None else "", True),
                    (t.method.replace("_", " "), False),
                    (d(t.reference), False),
                ]
                for t in report.transfers
            ],
        ),
        "<h2>Spending plans against actual spending</h2>",
        table(
            ["Case", "Need", "Planned", "Spent (as the client reports)"],
            [
                [
                    (p.case, False),
                    (p.need, False),
                    (money_text(p.planned, p.currency), True),
                    (money_text(p.spent, p.currency), True),
                ]
                for p in report.plans
            ],
        ),
        "<h2>Case notes and clients' words (anonymised)</h2>",
        table(
            ["Case", "Date", "Kind", "Text"],
            [
                [(n.case, False), (d(n.on), False), (n.kind.replace("_", " "), False), (n.text, False)]
                for n in report.notes
            ],
        ),
        "</body></html>",
    ]
    return "\n".join(parts)
