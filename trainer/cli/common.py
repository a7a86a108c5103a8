"""What every subcommand shares: errors, diagnostics output, the library's location."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Iterable

from trainer.diagnostics import Diagnostic, printable, sort_key


class CommandError(Exception):
    """A usage or I/O problem: printed as one line, exit code 2."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def add_format(parser: argparse.ArgumentParser, *choices: str) -> None:
    parser.add_argument("--format", choices=choices or ("text", "json"), default=(choices or ("text",))[0])


def print_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str = "text", *, stream=None) -> None:
    stream = stream or sys.stdout
    items = sorted(diagnostics, key=sort_key)
    if fmt == "json":
        json.dump([d.to_dict() for d in items], stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return
    for d in items:
        stream.write(d.render() + "\n\n")


def emit(text: str, stream=None) -> None:
    """Print text that may contain an author's or trainee's words, with escapes made visible."""
    (stream or sys.stdout).write(printable(text) + "\n")


def write_error_log(exc: BaseException, data_dir, label: str) -> Path | None:
    """Append a bug's traceback to <data dir>/logs/error.log (owner-only); the path, or None if it cannot."""
    from trainer.paths import data_dir as default_data_dir, ensure_private_dir

    try:
        folder = ensure_private_dir(default_data_dir(data_dir) / "logs")
        log_path = folder / "error.log"
        with os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8") as fh:
            fh.write(f"--- {_dt.datetime.now().isoformat()} {label}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return log_path
    except OSError:
        return None


def report_internal_error(exc: BaseException, args: argparse.Namespace | None) -> int:
    """Log a bug's traceback to a private file and tell the user in one line where it is."""
    log_path = write_error_log(exc, getattr(args, "data_dir", None), f"peer-trainer {' '.join(sys.argv[1:])}")
    where = f"; details in {log_path}" if log_path else ""
    print(f"peer-trainer: internal error ({type(exc).__name__}){where}", file=sys.stderr)
    return 70
