"""`peer-trainer test`: run scenarios' scripted `tests:` with a pytest-like summary."""

from __future__ import annotations

import json
import sys

from trainer.cli.common import emit, print_diagnostics


def register(sub) -> None:
    p = sub.add_parser("test", help="run the scenarios' tests: blocks", description=(
        "Run each scenario's scripted playthroughs. Exit 0 when all pass, 1 when any fails or a file has errors."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (default: the bundled library)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures and the summary only")
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.authoring.runner import run_scenario_tests
    from trainer.library import load_library, make_scorer

    lib = load_library(args.paths or None)
    scorer = make_scorer(lib.rubrics)
    results = []
    for sid, scenario in lib.scenarios.items():
        for outcome in run_scenario_tests(scenario, scorer, lib.flag_severity):
            results.append((str(lib.files[sid]), outcome))
    errors = [d for d in lib.diagnostics if d.is_error]
    passed = sum(1 for _, o in results if o.passed)
    failed = len(results) - passed
    if args.format == "json":
        json.dump({
            "passed": passed, "failed": failed, "errors": len(errors),
            "tests": [{"file": f, "scenario": o.scenario, "name": o.name, "passed": o.passed, "failures": o.failures}
                      for f, o in results],
            "diagnostics": [d.to_dict() for d in errors],
        }, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        if errors:
            print_diagnostics(errors)
        for f, o in results:
            if not o.passed or not args.quiet:
                emit(f"{f}::{o.name} {'PASSED' if o.passed else 'FAILED'}")
            for failure in o.failures:
                emit(f"    {failure}")
        tail = f", {len(errors)} file error{'s' * (len(errors) != 1)}" if errors else ""
        print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed or errors else 0
