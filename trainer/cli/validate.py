"""`peer-trainer validate`: schema and semantic checks of scenarios and rubrics."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trainer.cli.common import print_diagnostics
from trainer.diagnostics import Diagnostic, Severity


def register(sub) -> None:
    p = sub.add_parser("validate", help="check scenario and rubric files", description=(
        "Check scenario and rubric files (the bundled library by default). "
        "Exit 0 when clean, 1 when problems are found, 2 on a usage or I/O error."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument("--rubrics-dir", action="append", default=[], metavar="DIR", help="another folder of rubrics")
    p.set_defaults(run=run)


def validate_paths(paths: list[str], rubric_dirs: list[str] = ()) -> tuple[int, list[Diagnostic]]:
    """Check everything under `paths`; returns (files checked, diagnostics)."""
    from trainer.library import load_rubric_set, looks_like_rubric, rubric_folders, scenario_files
    from trainer.paths import bundled_rubrics, bundled_scenarios
    from trainer.scenario.compiler import load_scenario

    if not paths:
        paths = [str(bundled_scenarios()), str(bundled_rubrics())]
    files, diagnostics = scenario_files(paths)
    rubric_set, _ = load_rubric_set(rubric_folders(paths, rubric_dirs))
    seen_ids: dict[str, str] = {}
    for f in files:
        if looks_like_rubric(f):
            diagnostics.extend(_check_rubric(f))
            continue
        scenario, diags = load_scenario(f, rubric_set)
        diagnostics.extend(diags)
        if scenario is not None:
            if scenario.id in seen_ids:
                diagnostics.append(Diagnostic("PT215", Severity.ERROR,
                                              f"scenario id '{scenario.id}' is also used by {seen_ids[scenario.id]}", str(f),
                                              hint="scenario ids must be unique across the library"))
            seen_ids.setdefault(scenario.id, str(f))
    return len(files), diagnostics


def _check_rubric(f: Path) -> list[Diagnostic]:
    try:
        from trainer.scoring.rubrics import load_rubric
    except ImportError:
        return []
    return load_rubric(f)[1]


def run(args) -> int:
    count, diagnostics = validate_paths(args.paths, args.rubrics_dir)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    io_error = any(d.code == "PT001" for d in diagnostics)
    if args.format == "json":
        from trainer.diagnostics import sort_key

        json.dump({"files": count, "errors": errors, "warnings": warnings,
                   "diagnostics": [d.to_dict() for d in sorted(diagnostics, key=sort_key)]},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_diagnostics(diagnostics)
        noun = "file" if count == 1 else "files"
        print(f"checked {count} {noun}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    if io_error:
        return 2
    if errors or (args.strict and warnings):
        return 1
    return 0
