"""A cohort summary a programme manager reads: per need, demand and what was on offer.

A need counts as met when its list has a usable option (``status == "met"``): under
"find work" that takes a job, not only training or business support, and options
shown only on request never count.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from freechoice.catalog import NEEDS

from .assessment import Assessment
from .options import OptionList

__all__ = ["NeedSummary", "render_summary", "summarise"]


@dataclass(frozen=True)
class NeedSummary:
    need: str
    label: str
    ranked_4: int
    with_option: int  # met: a usable option (a job, under employment)
    median_options: float
    top_cautions: list[tuple[str, int]]


def summarise(assessments: Sequence[Assessment], lists: Sequence[OptionList]) -> list[NeedSummary]:
    """Per need, over clients who ranked it 4: how many had it met (a usable option;
    a job under employment), the median number of options, and the most common
    cautions on those options."""
    by_ref = {ol.client_ref: ol for ol in lists}
    out = []
    for nid, need in NEEDS.items():
        counts: list[int] = []
        met = 0
        cautions: Counter[str] = Counter()
        for a in assessments:
            if a.needs.get(nid) != 4:
                continue
            ol = by_ref[a.client_ref]
            entry = next((n for n in ol.needs if n.need == nid), None)
            opts = entry.options if entry is not None else []
            counts.append(len(opts))
            met += entry is not None and entry.status == "met"
            for o in opts:
                cautions.update({c.rule for c in o.cautions})
        out.append(
            NeedSummary(
                need=nid,
                label=need.label,
                ranked_4=len(counts),
                with_option=met,
                median_options=statistics.median(counts) if counts else 0.0,
                top_cautions=sorted(cautions.items(), key=lambda rc: (-rc[1], rc[0]))[:2],
            )
        )
    out.sort(key=lambda s: (-s.ranked_4, NEEDS[s.need].order))
    return out


def render_summary(rows: Sequence[NeedSummary], cohort_size: int) -> str:
    head = f"{'need':<44} {'ranked 4':>9} {'met':>15} {'median options':>15}  most common cautions"
    lines = [head, "-" * len(head)]
    for r in rows:
        share = f"{r.ranked_4} ({r.ranked_4 / cohort_size:.0%})"
        got = f"{r.with_option}/{r.ranked_4}" if r.ranked_4 else "-"
        cautions = ", ".join(f"{rule} ({n})" for rule, n in r.top_cautions) or "-"
        lines.append(f"{r.label:<44} {share:>9} {got:>15} {r.median_options:>15g}  {cautions}")
    lines.append(
        "met: at least one usable option; for 'find work', a job (training or business support alone "
        "is 'no job yet'); options shown only on request do not count."
    )
    return "\n".join(lines)
