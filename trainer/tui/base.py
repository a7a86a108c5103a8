"""What the trainee's app and the instructor's preview share: styles, keys, themes, and bugs as one line."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.binding import Binding

DARK, LIGHT = "textual-dark", "textual-light"


class BaseApp(App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    data_dir: Path | None = None  # where a bug's traceback is logged; None: the default data folder

    def action_help(self) -> None:
        from trainer.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def _fatal_error(self) -> None:  # Textual's hook for an unhandled exception
        from trainer.cli.common import write_error_log

        where = ""
        if self._exception is not None:
            log_path = write_error_log(self._exception, self.data_dir, f"peer-trainer {type(self).__name__}")
            where = f"; details in {log_path}" if log_path else ""
        self.bell()
        self._exit_renderables.append(Text(f"peer-trainer: internal error ({type(self._exception).__name__}){where}"))
        self._close_messages_no_wait()
