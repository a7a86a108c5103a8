"""`peer-trainer catalog`: what the library holds."""

from __future__ import annotations

import json
import sys

from trainer.cli.common import emit


def register(sub) -> None:
    p = sub.add_parser("catalog", help="list the scenarios in the library")
    p.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (default: the bundled library)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--coverage", action="store_true",
                   help="the coverage table: scenarios by theme, competency and red flag, with gaps")
    p.set_defaults(run=run)


def entry(scenario, path) -> dict:
    return {
        "id": scenario.id,
        "path": str(path),
        "title": scenario.title,
        "version": scenario.version,
        "themes": list(scenario.themes),
        "competencies": list(scenario.competencies),
        "hour_category": scenario.hour_category,
        "estimated_minutes": scenario.estimated_minutes,
        "nodes": len(scenario.nodes),
        "free_text_turns": len(scenario.free_text_nodes()),
        "endings": len(scenario.endings()),
        "outcomes": sorted({n.ending for n in scenario.endings()}),
        "tests": len(scenario.tests),
        "content_warnings": list(scenario.content_warnings),
        "summary": scenario.summary,
    }


def run(args) -> int:
    from trainer.library import load_library

    lib = load_library(args.paths or None)
    if args.coverage:
        return _coverage(args, lib)
    entries = [entry(s, lib.files[sid]) for sid, s in sorted(lib.scenarios.items())]
    if args.format == "markdown":
        print("| id | title | themes | minutes | nodes | free text | endings | tests |")
        print("|---|---|---|---|---|---|---|---|")
        for e in entries:
            print(f"| {e['id']} | {e['title']} | {', '.join(e['themes'])} | {e['estimated_minutes']} | {e['nodes']} "
                  f"| {e['free_text_turns']} | {e['endings']} | {e['tests']} |")
    elif args.format == "json":
        json.dump({"scenarios": entries, "problems": len([d for d in lib.diagnostics if d.is_error])},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for e in entries:
            emit(f"{e['id']:<32} {e['title'][:38]:<38} {','.join(e['themes'])[:30]:<30} "
                 f"{e['estimated_minutes']:>3} min  {e['nodes']:>3} nodes")
        print(f"{len(entries)} scenario{'s' * (len(entries) != 1)}")
        bad = [d for d in lib.diagnostics if d.is_error]
        if bad:
            print(f"{len(bad)} file(s) have errors; run 'peer-trainer validate'", file=sys.stderr)
    return 0


def _coverage(args, lib) -> int:
    from trainer.authoring.catalog import coverage_table, markdown

    critical = []
    if lib.rubrics is not None:
        critical = sorted(f for f in lib.rubrics.flag_ids() if lib.rubrics.flag_severity(f) == "critical")
    table = coverage_table(lib.scenarios, critical)
    if args.format == "json":
        json.dump(table, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(markdown(table))
    return 0
