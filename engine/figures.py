"""The programme dashboard's figures, like the pilot brief's: which needs clients rank 4,
how many needs found an option by priority, what became of referrals, and how
satisfied clients were month by month.

Pure functions over plain records (mappings), like :mod:`.kpis`. Every share or mean
is over a group; a group smaller than ``min_group`` (5 by default) is not shown (its
figure is None and it is marked ``hidden``), so no figure points at a few people.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MIN_GROUP", "OUTCOMES", "programme_figures"]

MIN_GROUP = 5
#: referral statuses in lifecycle order (drafts were never sent: not an outcome)
OUTCOMES = ("sent", "accepted", "in_progress", "completed", "declined", "closed")


def _share(part: int, whole: int, min_group: int) -> float | None:
    return None if whole < min_group or whole == 0 else round(part / whole, 4)


def _latest_per_client(lists: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    latest: dict[str, Mapping[str, Any]] = {}
    for ol in lists:
        ref = str(ol.get("client_ref") or ol.get("id"))
        if ref not in latest or str(ol.get("created_at") or "") >= str(latest[ref].get("created_at") or ""):
            latest[ref] = ol
    return list(latest.values())


def _met(need: Mapping[str, Any]) -> bool:
    return bool(need.get("status", "met" if need.get("options") else "unmet") == "met")


def _month(at: Any) -> str:
    if isinstance(at, dt.datetime | dt.date):
        return f"{at.year:04d}-{at.month:02d}"
    return str(at)[:7]


def programme_figures(
    option_lists: Iterable[Mapping[str, Any]],
    referrals: Iterable[Mapping[str, Any]],
    feedback: Iterable[Mapping[str, Any]],
    *,
    needs: Iterable[str] = (),
    min_group: int = MIN_GROUP,
) -> dict[str, Any]:
    """The dashboard's figures for one organisation and period.

    Records: option lists (``client_ref``, ``created_at``, ``needs`` with ``need``,
    ``priority``, ``options`` or ``status``; a client's latest list counts); referrals
    (``status``); feedback (``satisfaction``, ``need_met``, ``created_at``). ``needs``
    lists every need to report (in the taxonomy's order), also those nobody ranked.

    >>> ol = {"client_ref": "c1", "needs": [{"need": "food", "priority": 4, "options": [{}]}]}
    >>> f = programme_figures([ol], [], [], needs=["food"])
    >>> f["clients"], f["need_rank_4"][0]["hidden"]
    (1, True)
    >>> f = programme_figures([{**ol, "client_ref": f"c{i}"} for i in range(5)], [], [], needs=["food"])
    >>> f["need_rank_4"][0]["share"], f["needs_by_priority"][0]
    (1.0, {'priority': 4, 'needs': 5, 'with_option': 5, 'share': 1.0, 'hidden': False})
    """
    lists = _latest_per_client(option_lists)
    clients = len(lists)
    order = list(needs)
    ranked_4: Counter[str] = Counter()
    met_4: Counter[str] = Counter()
    by_priority: dict[int, list[int]] = {p: [0, 0] for p in (4, 3, 2, 1)}
    for ol in lists:
        for n in ol.get("needs") or []:
            p, name = int(n.get("priority") or 0), str(n.get("need"))
            if name not in order:
                order.append(name)
            if p in by_priority:
                by_priority[p][0] += 1
                by_priority[p][1] += _met(n)
            if p == 4:
                ranked_4[name] += 1
                met_4[name] += _met(n)
    need_rank_4 = [
        {
            "need": name,
            "clients": ranked_4[name] if clients >= min_group else None,
            "share": _share(ranked_4[name], clients, min_group),
            "with_option": met_4[name] if clients >= min_group else None,
            "share_with_option": _share(met_4[name], ranked_4[name], min_group),
            "hidden": clients < min_group,
        }
        for name in order
    ]
    if clients >= min_group:  # most ranked first (stable: the taxonomy's order among equals)
        need_rank_4.sort(key=lambda r: -ranked_4[str(r["need"])])
    refs = [r for r in referrals if r.get("status") != "draft"]
    reached: Counter[str] = Counter(str(r["status"]) for r in refs)
    outcomes = [
        {
            "status": s,
            "count": reached[s] if len(refs) >= min_group else None,
            "share": _share(reached[s], len(refs), min_group),
        }
        for s in OUTCOMES
    ]
    by_month: dict[str, list[int]] = defaultdict(list)
    for f in feedback:
        by_month[_month(f.get("created_at"))].append(int(f["satisfaction"]))
    satisfaction = [
        {
            "month": m,
            "n": len(v),
            "mean": round(statistics.fmean(v), 2) if len(v) >= min_group else None,
            "hidden": len(v) < min_group,
        }
        for m, v in sorted(by_month.items())
    ]
    return {
        "min_group": min_group,
        "clients": clients,
        "need_rank_4": need_rank_4,
        "needs_by_priority": [
            {
                "priority": p,
                "needs": n,
                "with_option": m if n >= min_group else None,
                "share": _share(m, n, min_group),
                "hidden": n < min_group,
            }
            for p, (n, m) in by_priority.items()
        ],
        "referral_outcomes": {"referrals": len(refs), "hidden": len(refs) < min_group, "by_status": outcomes},
        "satisfaction_by_month": satisfaction,
    }
