"""`peer-trainer schema NAME`: print a shipped JSON Schema, for editors and other tools."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario, rubric or policy files")
    p.add_argument("name", choices=("scenario", "rubric", "policy"))
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.cli.common import CommandError
    from trainer.schemas import available_schemas, load_schema

    if args.name not in available_schemas():
        raise CommandError(f"the {args.name} schema is not available in this build")
    print(json.dumps(load_schema(args.name), indent=2))
    return 0
