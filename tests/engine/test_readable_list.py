"""A list a person can read (issue 9, item 16): the person-facing rendering shows the
top three options per need with "N more", each service once with the other needs it
helps with, "why" only for what speaks for it and "watch out" for what speaks against,
and no ids, scores, ISO codes, rule ids or version hashes (those stay in the JSON and
in ``render_detail`` / ``freechoice match --detail``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import load_sample_catalog
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.language import language_name
from freechoice.engine.render import render_detail, render_option_list

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CODE = re.compile(r"\b[A-Z]{2}\b")


def _against(rule_id: str) -> bool:
    rule = RULES.by_id.get(rule_id)
    return rule is not None and (bool(rule.then.demote) or rule.then.rank == "last")


def _entries(text: str) -> list[tuple[str, list[str]]]:
    """(option line, its detail lines) for each option shown in full."""
    out: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        if re.match(r"^   [a-z]\) ", line):
            current = None if ": see above, under " in line else (line, [])
            if current is not None:
                out.append(current)
        elif line.startswith("      ") and current is not None:
            current[1].append(line.strip())
        else:
            current = None
    return out


@PROPS
@given(a=assessments(), cat=catalogs(), show_all=st.booleans())
def test_the_person_view_has_no_ids_scores_codes_rule_ids_or_versions(a, cat, show_all):
    ol = propose(a, cat, RULES, all_needs=True, show_all=show_all)
    text = render_option_list(ol, RULES)
    assert "svc-" not in text and "org-" not in text
    assert "fit 0." not in text and "fit 1." not in text
    assert ol.id not in text and ol.rules_version not in text and ol.catalog_version not in text
    for rid in RULES.by_id:
        assert not re.search(rf"(?<![\w-]){re.escape(rid)}(?![\w-])", text) or " " in rid, rid
    for line in text.splitlines():
        if line.strip().startswith("where:"):
            place, langs, _ = line.strip().removeprefix("where: ").split(" | ")
            assert not _CODE.search(place), line
            for lang in langs.removeprefix("staff speak: ").split(", "):
                assert lang == "-" or len(lang) > 3 or lang == language_name(lang), line


@PROPS
@given(a=assessments(), cat=catalogs())
def test_the_person_view_shows_three_per_need_each_service_once_and_why_apart_from_watch_out(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    text = render_option_list(ol, RULES)
    full = [line for line in text.splitlines() if re.match(r"^   [a-z]\) ", line) and ": see above, under" not in line]
    shown, shown_under = {}, {}
    for n in ol.needs:
        for o in n.options[:3]:
            shown.setdefault(o.service_id, o)
            shown_under.setdefault(o.service_id, n.need)
    # each service shown in full exactly once: as many full entries as distinct services
    assert len(full) == len(shown)
    for (head, details), o in zip(_entries(text), shown.values(), strict=True):
        assert f"{o.service_name} - {o.provider_name}" in head
        why = [d for d in details if d.startswith("why: ")]
        watch = [d.removeprefix("watch out: ") for d in details if d.startswith("watch out: ")]
        for c in o.cautions:
            assert c.text in watch
            assert not any(c.text in w for w in why)
        for r in o.reasons:
            if r.text and _against(r.rule):
                assert r.text in watch and not any(r.text in w for w in why)
            elif r.text:
                assert why and r.text in why[0]
        others = [
            n.label
            for n in ol.needs
            if n.need != shown_under[o.service_id] and any(x.service_id == o.service_id for x in n.options)
        ]
        if others:
            assert f"also helps with: {', '.join(others)}" in details
    for n in ol.needs:
        if len(n.options) > 3:
            assert f"... and {len(n.options) - 3} more" in text


def _client(**situation):
    base = {
        "location": {"country": "TH", "area": "Songkhla"},
        "languages": ["my", "th"],
        "age": 30,
        "documents": "valid",
    }
    return parse_assessment(
        {
            "client_ref": "c-read",
            "needs": {
                "current_expenses": 4,
                "food": 4,
                "cultural_religious": 3,
                "employment": 4,
                "legal_proceedings": 4,
            },
            "situation": {**base, **situation},
        }
    )


def test_a_sample_list_reads_as_plain_words_and_detail_keeps_the_ids():
    cat = load_sample_catalog()
    ol = propose(_client(), cat, RULES)
    text = render_option_list(ol, RULES)
    assert "Options for you" in text and "Nothing is decided until you choose." in text
    assert "Thailand" in text and "Burmese" in text
    assert not re.search(r"\(TH\)|, TH\b| TH\)|\bmy\b, |, th\b", text)
    assert "also helps with:" in text and ": see above, under " in text
    detail = render_detail(ol)
    assert "fit 0." in detail and "id: " in detail and ol.rules_version in detail


def test_freechoice_match_prints_the_person_view_and_detail_on_request(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(_client().model_dump(mode="json")), encoding="utf-8")

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "freechoice.api.cli", "match", str(path), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    plain, detail = run(), run("--detail")
    assert "svc-" not in plain and "fit 0." not in plain and "why: " in plain
    assert "svc-" in detail and "fit 0." in detail
