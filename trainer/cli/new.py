"""`peer-trainer new scenario ID`: a valid, commented starting file."""

from __future__ import annotations

import os
from pathlib import Path

from trainer.cli.common import CommandError


def register(sub) -> None:
    p = sub.add_parser("new", help="write a new scenario from a template")
    p.add_argument("kind", choices=("scenario",))
    p.add_argument("id", help="the scenario id (lower-case, digits, '-')")
    p.add_argument("--theme", default="role-modeling", help="its theme (default role-modeling)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: ID.yaml here)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.authoring.template import render
    from trainer.diagnostics import did_you_mean, is_valid_id
    from trainer.scenario.model import THEMES

    if not is_valid_id(args.id):
        raise CommandError(f"'{args.id}' is not a valid id: use lower-case letters, digits, '-' and '_'")
    if args.theme not in THEMES:
        hint = did_you_mean(args.theme, THEMES)
        raise CommandError(f"unknown theme '{args.theme}'" + (f"; {hint}" if hint else f" (one of {', '.join(THEMES)})"))
    path = Path(args.output or f"{args.id}.yaml")
    if path.exists() and not args.force:
        raise CommandError(f"{path} already exists; use --force to overwrite it")
    try:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if args.force else os.O_EXCL)
        with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as fh:
            fh.write(render(args.id, str(path), args.theme))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    print(f"wrote {path}; next: peer-trainer validate --strict {path} && peer-trainer test --explore {path}")
    return 0
