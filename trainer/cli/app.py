"""`peer-trainer` with no command: the trainee's app. Textual is imported only when it runs."""

from __future__ import annotations


def run_app(args) -> int:
    from trainer.tui.app import make_app

    library = [args.library] if getattr(args, "library", None) else None
    app = make_app(library, data_dir=getattr(args, "data_dir", None))
    app.run()
    return int(app.return_code or 0)
