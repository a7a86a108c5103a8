"""`peer-trainer preview SCENARIO`: an instructor plays a scenario file as a trainee would,
jumps to any node, sees the file's diagnostics, and the view reloads on every save."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("preview", help="play a scenario file in the app, reloading when it is saved", description=(
        "Play a scenario file (or an id in the library) in the app, with a list of its nodes to jump to and its "
        "diagnostics beside it. Saving the file reloads the view. Nothing is recorded."))
    p.add_argument("scenario", help="scenario file or id")
    p.add_argument("--mode", choices=("practice", "assessment"), default="practice")
    p.set_defaults(run=run)


def run(args) -> int:
    from trainer.cli.common import CommandError
    from trainer.library import resolve_scenario_ref

    try:
        path = resolve_scenario_ref(args.scenario, [args.library] if getattr(args, "library", None) else None)
    except ValueError as exc:
        raise CommandError(str(exc)) from None

    from trainer.tui.preview import make_preview_app

    app = make_preview_app(path, mode=args.mode)
    app.run()
    return int(app.return_code or 0)
