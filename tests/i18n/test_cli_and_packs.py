"""The languages as a user meets them on the command line (a real subprocess), and
custom rule packs in their own language (issue 10, items 2 and 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from freechoice.catalog import load_sample_catalog
from freechoice.engine import compile_rules, parse_assessment, propose
from freechoice.engine.render import render_option_list
from freechoice.engine.text.packs import missing_translations
from freechoice.rules import default_pack, pack_version, parse_pack

CLI = [sys.executable, "-m", "freechoice.api.cli"]
ASSESSMENT = {
    "client_ref": "c-lang-cli",
    "needs": {"employment": 4, "legal_proceedings": 4},
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "languages": ["my"],
        "age": 28,
        "documents": "valid",
    },
}
#: a local pack written in Thai, translated into English only
PACK = {
    "pack": "local",
    "language": "th",
    "translations": {"en": {"จ้างโดยตรง": "Hires directly (local rule)"}},
    "rules": [
        {
            "id": "local-direct",
            "description": "Direct hire first (local rule).",
            "when": {"service": {"employment.direct_hire": True}},
            "then": {"boost": 1.0, "reason": "จ้างโดยตรง"},
        }
    ],
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=180)


def test_match_lang_prints_the_list_in_khmer_and_refuses_an_unknown_language():
    done = run("match", "-", "--lang", "km", stdin=json.dumps(ASSESSMENT))
    assert done.returncode == 0, done.stderr
    assert "ជម្រើសសម្រាប់អ្នក" in done.stdout  # "Options for you"
    assert "ទូរស័ព្ទ៖" in done.stdout  # the contact card's "phone:"
    assert "THB" not in done.stdout
    bad = run("match", "-", "--lang", "xx", stdin=json.dumps(ASSESSMENT))
    assert bad.returncode == 2 and "--lang" in bad.stderr and "my" in bad.stderr


def test_i18n_status_prints_coverage_and_review_status_per_language():
    done = run("i18n", "status", "--strict")
    assert done.returncode == 0, done.stderr
    for name in ("Burmese", "Thai", "Khmer", "Lao"):
        line = next(line for line in done.stdout.splitlines() if name in line)
        assert "(100%)" in line
    assert done.stdout.count("awaiting review by a native speaker") == 4
    assert done.stdout.count("AI assistant") == 4


def test_rules_check_reports_which_texts_lack_which_language(tmp_path: Path):
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(PACK, allow_unicode=True), encoding="utf-8")
    done = run("rules", "check", str(path))
    assert done.returncode == 0, done.stderr
    assert "texts written in Thai (th)" in done.stdout
    assert "en English: complete" in done.stdout
    for name in ("my Burmese", "km Khmer", "lo Lao"):
        assert f"{name}: 1 text(s) without a translation (shown in Thai, marked)" in done.stdout
    bundled = run("rules", "check", str(Path(__file__).resolve().parents[2] / "rules" / "default.yaml"))
    assert "my Burmese: complete" in bundled.stdout and "lo Lao: complete" in bundled.stdout


def test_a_custom_pack_without_a_translation_falls_back_to_its_own_language_marked():
    rules = compile_rules(default_pack(), parse_pack(PACK))
    a = parse_assessment(ASSESSMENT)
    ol = propose(a, load_sample_catalog(), rules)
    assert any(r.text == "จ้างโดยตรง" for n in ol.needs for o in n.options for r in o.reasons)
    thai = render_option_list(ol, rules, lang="th")
    english = render_option_list(ol, rules, lang="en")
    khmer = render_option_list(ol, rules, lang="km")
    assert "จ้างโดยตรง" in thai and "(เป็นภาษา" not in thai  # its own language: no mark
    assert "Hires directly (local rule)" in english  # the pack's English translation
    assert "จ้างโดยตรง (ជាភាសាថៃ៖ មិនទាន់មានការបកប្រែ)" in khmer  # Thai, marked "in Thai" in Khmer


def test_pack_translations_must_keep_placeholders_and_name_the_packs_own_texts():
    broken = json.loads(json.dumps(PACK))
    broken["rules"][0]["then"]["reason"] = "Staff speak {match.spoken_language}"
    broken["translations"] = {"my": {"Staff speak {match.spoken_language}": "ဝန်ထမ်းများ ပြောသည်"}}
    try:
        parse_pack(broken)
    except Exception as err:  # ValidationFailed, naming the field
        assert "translations" in str(err) and "placeholders" in str(err)
    else:
        raise AssertionError("a translation that drops a placeholder was accepted")
    stray = json.loads(json.dumps(PACK))
    stray["translations"] = {"my": {"not a text of the pack": "x"}}
    try:
        parse_pack(stray)
    except Exception as err:
        assert "not a text of this pack" in str(err)
    else:
        raise AssertionError("a translation of a text the pack does not have was accepted")


def test_translating_a_pack_keeps_its_version_and_the_bundled_packs_are_complete():
    plain = parse_pack({k: v for k, v in PACK.items() if k != "translations"})
    assert pack_version(plain) == pack_version(parse_pack(PACK))
    assert all(not missing for missing in missing_translations(default_pack()).values())
