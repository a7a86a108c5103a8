"""`peer-trainer test`: scripted tests, exhaustive exploration, random playthroughs, coverage."""

from __future__ import annotations

import json
import sys

from trainer.cli.common import CommandError, emit, print_diagnostics


def register(sub) -> None:
    p = sub.add_parser("test", help="run scenarios' tests, explore every path, measure coverage", description=(
        "Run each scenario's scripted `tests:`, and judge each typed turn's model responses (they must raise no "
        "red flag); with --explore, play every reachable state; with --random N, "
        "N seeded random playthroughs. Exit 0 when everything passes, 1 when a test fails, exploration finds a "
        "problem, coverage is below --min-coverage or a file has errors."))
    p.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (default: the bundled library)")
    p.add_argument("--explore", action="store_true", help="explore every reachable state")
    p.add_argument("--random", type=int, metavar="N", help="N random playthroughs")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed for --random (default 0)")
    p.add_argument("--min-coverage", type=float, metavar="PCT",
                   help="fail when node, choice or route coverage is below PCT (of --explore, else --random, else the tests)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--rubrics-dir", action="append", default=[], metavar="DIR", help="another folder of rubrics")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures and the summary only")
    p.set_defaults(run=run)


def _pct(pair) -> str:
    covered, total = pair
    return f"{covered}/{total} ({100.0 * covered / total if total else 100.0:.0f}%)"


def run(args) -> int:
    from trainer.authoring.explore import Coverage, explore, random_playthroughs, report
    from trainer.authoring.runner import check_model_responses, run_scenario_tests
    from trainer.library import load_library, make_scorer

    if args.random is not None and args.random < 1:
        raise CommandError("--random needs a positive number of playthroughs")
    if args.min_coverage is not None and not 0 <= args.min_coverage <= 100:
        raise CommandError("--min-coverage is a percentage from 0 to 100")
    lib = load_library(args.paths or None, rubric_dirs=args.rubrics_dir)
    scorer = make_scorer(lib.rubrics)
    severity = lib.flag_severity
    errors = [d for d in lib.diagnostics if d.is_error]
    passed = failed = problems = 0
    failing = False
    scenarios_out = []
    text = args.format == "text"
    if text and lib.diagnostics:
        print_diagnostics(lib.diagnostics)  # warnings too: a rubric among the scenarios is skipped, and says so
    for sid, scenario in lib.scenarios.items():
        file = str(lib.files[sid])
        entry: dict = {"scenario": sid, "file": file, "tests": []}
        test_cov = Coverage()
        for o in run_scenario_tests(scenario, scorer, severity) + check_model_responses(scenario, scorer):
            if o.state is not None:
                test_cov.add_state(o.state)
            passed += o.passed
            failed += not o.passed
            entry["tests"].append({"name": o.name, "passed": o.passed, "failures": o.failures})
            if text and (not o.passed or not args.quiet):
                emit(f"{file}::{o.name} {'PASSED' if o.passed else 'FAILED'}")
                for failure in o.failures:
                    emit(f"    {failure}")
        rep = report(scenario, test_cov)
        entry["coverage"] = {"tests": rep.to_dict()}
        gate = rep
        if text and not args.quiet:
            emit(f"  coverage by tests: nodes {_pct(rep.nodes)}, choices {_pct(rep.choices)}, routes {_pct(rep.routes)}")
        if args.random:
            rnd = random_playthroughs(scenario, args.random, args.seed, flag_severity=severity)
            entry["random"] = rnd.to_dict(scenario)
            gate = report(scenario, rnd.coverage)
            failing |= bool(rnd.problems)
            problems += len(rnd.problems)
            if text and not args.quiet:
                shares = ", ".join(f"{k} {100 * v / rnd.runs:.0f}%" for k, v in rnd.endings.most_common())
                emit(f"  random ({rnd.runs} runs, seed {rnd.seed}): {shares}"
                     + (f", unfinished {rnd.unfinished}" if rnd.unfinished else ""))
                emit(f"    coverage: nodes {_pct(gate.nodes)}, choices {_pct(gate.choices)}, routes {_pct(gate.routes)}")
            if text:
                for p in rnd.problems:
                    emit(f"{file}: problem ({p.kind}): {p.message}")
        if args.explore:
            ex = explore(scenario, flag_severity=severity)
            entry["explore"] = ex.to_dict(scenario)
            gate = report(scenario, ex.coverage)
            failing |= bool(ex.problems) or not ex.complete
            problems += len(ex.problems)
            if text and not args.quiet:
                ends = ", ".join(f"{k} {v}" for k, v in sorted(ex.endings.items()))
                emit(f"  explore: {ex.states} states{'' if ex.complete else ' (state limit reached)'}; endings: {ends}")
                emit(f"    coverage: nodes {_pct(gate.nodes)}, choices {_pct(gate.choices)}, routes {_pct(gate.routes)}")
                for label, missed in (("nodes", gate.missed_nodes), ("choices", gate.missed_choices), ("routes", gate.missed_routes)):
                    if missed:
                        emit(f"    never reached ({label}): {', '.join(missed)}")
            if text:
                for p in ex.problems:
                    emit(f"{file}: problem ({p.kind}): {p.message}")
        if args.min_coverage is not None and gate.lowest < args.min_coverage:
            failing = True
            entry["below_min_coverage"] = True
            if text:
                emit(f"  coverage {gate.lowest:.0f}% is below --min-coverage {args.min_coverage:g}%")
        scenarios_out.append(entry)
    if args.format == "json":
        json.dump({"passed": passed, "failed": failed, "errors": len(errors), "ok": not (failed or failing or errors),
                   "scenarios": scenarios_out, "diagnostics": [d.to_dict() for d in lib.diagnostics]},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        tail = f", {problems} path problem{'s' * (problems != 1)}" if problems else ""
        tail += f", {len(errors)} file error{'s' * (len(errors) != 1)}" if errors else ""
        print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed or failing or errors else 0
