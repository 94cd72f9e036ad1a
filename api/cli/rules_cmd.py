"""``freechoice rules check PACK`` and ``freechoice rules test CASES``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from freechoice.rules import RulePack

__all__ = ["register"]

rules_app = typer.Typer(help="Check rule packs and run YAML rule cases.", no_args_is_help=True)


@rules_app.command("check")
def check(pack: Annotated[Path, typer.Argument(help="Rule pack YAML file.", exists=True, dir_okay=False)]) -> None:
    """Validate and compile a rule pack; print its rules and version. Exit 2 if invalid."""
    from freechoice.engine import compile_rules
    from freechoice.rules import load_pack

    compiled = compile_rules(load_pack(pack))
    print(f"{pack}: valid; {len(compiled.rules)} rules with the core pack; version {compiled.version}")
    for r in compiled.rules:
        print(f"  {compiled.pack_of[r.id]:>8}  {r.id:<36} {r.then.kind:<8} {r.description.strip()}")
    _report_translations(load_pack(pack))


def _report_translations(pack: RulePack) -> None:
    """Which of the pack's texts lack which language (a client then reads them in the pack's language)."""
    from freechoice.engine.text import language_display_name
    from freechoice.engine.text.packs import missing_translations

    own = language_display_name(pack.language, "en") or pack.language
    print(f"texts written in {own} ({pack.language}); translations:")
    for lang, missing in missing_translations(pack).items():
        name = language_display_name(lang, "en")
        if not missing:
            print(f"  {lang} {name}: complete")
            continue
        print(f"  {lang} {name}: {len(missing)} text(s) without a translation (shown in {own}, marked):")
        for rid, key, text in missing:
            print(f"      {rid} ({key}): {text}")


@rules_app.command("test")
def test(
    cases: Annotated[Path, typer.Argument(help="Case file or folder of *.yaml case files.", exists=True)],
    rules: Annotated[
        Path | None, typer.Option(help="Rule pack (default: bundled default pack).", exists=True, dir_okay=False)
    ] = None,
    require_coverage: Annotated[bool, typer.Option(help="Fail when a rule of the pack has no case.")] = True,
) -> None:
    """Run YAML rule cases against a pack; exit 1 on any failure."""
    from freechoice.engine import load_rules
    from freechoice.engine.cases import load_cases, run_case

    compiled = load_rules(rules)
    loaded = load_cases(cases)
    failed = 0
    for case in loaded:
        _, fails = run_case(case, compiled)
        status = "ok  " if not fails else "FAIL"
        print(f"{status} {case.name}  ({Path(case.source).name})")
        for f in fails:
            print(f"       {f}")
        failed += bool(fails)
    covered = {r for c in loaded for r in c.covers}
    uncovered = [r.id for r in compiled.rules if r.id not in covered]
    print(f"{len(loaded) - failed} passed, {failed} failed")
    if uncovered:
        print(f"rules without a case: {', '.join(uncovered)}")
    if failed or (require_coverage and uncovered):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
