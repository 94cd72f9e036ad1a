"""Programme KPIs from client outcomes and client feedback, not headcounts.

Pure functions over plain records (mappings), so the same figures come from the
database, a file export or a test.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["compute_kpis", "list_summary", "quality_signal"]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _mean_n(values: list[float]) -> dict[str, Any]:
    return {"mean": round(statistics.fmean(values), 2), "n": len(values)}


def list_summary(option_list: Mapping[str, Any]) -> dict[str, int]:
    """What the KPIs need of one option list, kept beside it when it is stored, so
    that measures never read the lists themselves: the client's priority-4 needs, and
    how many of them had a usable option (``status`` met: under find work a job, not
    only training; lists stored before there was a status count any option).

    >>> list_summary({"needs": [{"priority": 4, "options": [{}]}, {"priority": 4, "options": []},
    ...                         {"priority": 2, "options": [{}]}]})
    {'priority_4_needs': 2, 'priority_4_with_option': 1}
    >>> list_summary({"needs": [{"priority": 4, "options": [{}], "status": "no_job_yet"}]})
    {'priority_4_needs': 1, 'priority_4_with_option': 0}
    """
    p4 = [n for n in option_list.get("needs", []) if n.get("priority") == 4]
    met = sum(1 for n in p4 if n.get("status", "met" if n.get("options") else "unmet") == "met")
    return {"priority_4_needs": len(p4), "priority_4_with_option": met}


def _summary(option_list: Mapping[str, Any]) -> tuple[int, int]:
    if "priority_4_needs" in option_list:
        return int(option_list["priority_4_needs"]), int(option_list["priority_4_with_option"])
    s = list_summary(option_list)
    return s["priority_4_needs"], s["priority_4_with_option"]


def compute_kpis(
    option_lists: Iterable[Mapping[str, Any]],
    choices: Iterable[Mapping[str, Any]],
    referrals: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    feedback: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """KPIs for one organisation and period.

    Records: option lists as offered (``needs`` with ``priority`` and ``options``), or
    their :func:`list_summary` (with ``id``);
    choices (``option_list_id``, ``decision``, ``created_at``); referrals (``id``,
    ``choice_id``, ``status``); referral events (``referral_id``, ``to``, ``reason``,
    ``at``); feedback (``satisfaction``, ``need_met``, ``kinds``, ``provider_id``).
    Shares are None when there is nothing to divide.
    """
    lists = list(option_lists)
    summaries = [_summary(ol) for ol in lists]
    p4, p4_with = sum(s[0] for s in summaries), sum(s[1] for s in summaries)
    choices = list(choices)
    chosen = {c["option_list_id"] for c in choices if c.get("decision") == "chosen"}
    refs = list(referrals)
    sent = [r for r in refs if r["status"] != "draft"]
    completed = [r for r in refs if r["status"] == "completed"]
    evs = sorted(events, key=lambda e: e["at"])
    choice_at = {c["id"]: c["created_at"] for c in choices if "id" in c}
    first_service: dict[str, dt.datetime] = {}
    for e in evs:
        if e["to"] == "in_progress" and e["referral_id"] not in first_service:
            first_service[e["referral_id"]] = e["at"]
    waits = []
    for r in refs:
        start = choice_at.get(r.get("choice_id"))
        if start is not None and r["id"] in first_service:
            waits.append((first_service[r["id"]] - start).total_seconds() / 3600)
    dropouts: Counter[tuple[str, str]] = Counter()
    for e in evs:
        if e["to"] in ("declined", "closed"):
            dropouts[(e["to"], (e.get("reason") or "").strip() or "no reason given")] += 1
    by_kind: dict[str, list[float]] = defaultdict(list)
    by_provider: dict[str, list[float]] = defaultdict(list)
    met: Counter[str] = Counter()
    fb = list(feedback)
    for f in fb:
        for k in f.get("kinds") or []:
            by_kind[k].append(f["satisfaction"])
        if f.get("provider_id"):
            by_provider[f["provider_id"]].append(f["satisfaction"])
        met[f["need_met"]] += 1
    return {
        "option_lists": len(lists),
        "priority_4_needs": p4,
        "share_priority_4_with_option": _share(p4_with, p4),
        "share_lists_chosen_from": _share(len(chosen), len(lists)),
        "referrals_sent": len(sent),
        "share_referrals_completed": _share(len(completed), len(sent)),
        "hours_choice_to_first_service": {
            "median": round(statistics.median(waits), 2) if waits else None,
            "n": len(waits),
        },
        "satisfaction_by_kind": {k: _mean_n(v) for k, v in sorted(by_kind.items())},
        "satisfaction_by_provider": {k: _mean_n(v) for k, v in sorted(by_provider.items())},
        "need_met": {k: met.get(k, 0) for k in ("yes", "partly", "no")},
        "feedback_count": len(fb),
        "dropouts": [
            {"status": status, "reason": reason, "count": n}
            for (status, reason), n in sorted(dropouts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def quality_signal(feedback: Iterable[Mapping[str, Any]]) -> dict[str, tuple[float, int]]:
    """Service id -> (mean satisfaction, number of ratings), for ``propose(quality=...)``."""
    acc: dict[str, list[float]] = defaultdict(list)
    for f in feedback:
        if f.get("service_id"):
            acc[f["service_id"]].append(f["satisfaction"])
    return {sid: (round(statistics.fmean(v), 3), len(v)) for sid, v in sorted(acc.items())}
