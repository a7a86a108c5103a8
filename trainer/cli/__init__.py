"""The `peer-trainer` command: the TUI with no arguments, headless subcommands otherwise.

Each subcommand lives in its own module with a `register(subparsers)` function. Modules
import their heavy dependencies inside the command, so `--help` and the headless
commands start fast and never load Textual.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from typing import Sequence

from trainer import __version__
from trainer.cli.common import CommandError, report_internal_error

COMMAND_MODULES = (
    "trainer.cli.validate",
    "trainer.cli.schema",
    "trainer.cli.play",
    "trainer.cli.test",
    "trainer.cli.graph",
    "trainer.cli.catalog",
    "trainer.cli.new",
    "trainer.cli.score",
    "trainer.cli.records",
    "trainer.cli.preview",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peer-trainer",
        description="Practise the hard conversations of peer support. With no command, opens the trainee's app.",
    )
    parser.add_argument("--version", action="version", version=f"peer-trainer {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where user data lives (default: $PEER_TRAINER_HOME or the user data folder)")
    parser.add_argument("--library", metavar="DIR", help="scenario folder to open in the app (default: the bundled library)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command not built yet
            raise
        module.register(sub)
    return parser


_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})  # the disk (or the quota, or the file) is full


def _drop_output() -> None:
    """Point stdout at the null device, so what is still buffered for a closed pipe or a full disk is
    not written again (and reported again) as Python exits."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests, embedding): nothing is flushed at exit


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from trainer.cli.app import run_app

            return run_app(args)
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # so that a full disk is reported here, not as an error at exit
        return code
    except CommandError as exc:
        print(f"peer-trainer: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _drop_output()
        return 0
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            return report_internal_error(exc, args)
        _drop_output()
        print(f"peer-trainer: could not write {exc.filename or 'the output'}: {exc.strerror}", file=sys.stderr)
        return 74  # EX_IOERR
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes a message, not a traceback
        return report_internal_error(exc, args)
