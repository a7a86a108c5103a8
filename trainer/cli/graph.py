"""`peer-trainer graph`: a scenario's branching as Mermaid or DOT."""

from __future__ import annotations

import sys

from trainer.cli.common import CommandError


def register(sub) -> None:
    p = sub.add_parser("graph", help="draw a scenario's branching (mermaid or dot)")
    p.add_argument("scenario", help="scenario file or id")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    p.add_argument("--coverage", choices=("tests", "explore"), nargs="?", const="tests",
                   help="mark nodes and edges not reached by the scenario's tests (or by --explore)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.authoring import graph
    from trainer.cli.play import load_one

    scenario, rubrics, scorer = load_one(args.scenario)
    marks = None
    if args.coverage:
        from trainer.authoring.coverage import coverage_marks

        marks = coverage_marks(scenario, args.coverage, scorer, rubrics)
    text = graph.mermaid(scenario, marks) if args.format == "mermaid" else graph.dot(scenario, marks)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise CommandError(f"{args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return 0
