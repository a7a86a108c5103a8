"""Every key, by screen, in one place (F1 or ? anywhere)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Anywhere", (
        ("F1  ?", "this help"),
        ("ctrl+t", "switch between light and dark"),
        ("tab  shift+tab", "move between parts of the screen"),
        ("ctrl+q", "quit (your place in a conversation is saved)"),
    )),
    ("Signing in", (
        ("↑ ↓  enter", "choose who is practising"),
        ("n", "add a new trainee"),
    )),
    ("Catalog", (
        ("↑ ↓  enter", "pick a scenario and read its prebrief"),
        ("/", "search; escape clears"),
        ("f", "filter by status: new, in progress, completed, passed"),
        ("r", "resume a conversation in progress"),
        ("p", "your progress and hours"),
        ("s", "switch trainee"),
    )),
    ("Prebrief", (
        ("p", "start in practice mode (coach, hints, undo)"),
        ("a", "start in assessment mode (feedback at the end)"),
        ("r", "resume where you left off"),
        ("escape", "back to the catalog"),
    )),
    ("In a conversation", (
        ("1-9", "pick a reply; or ↑ ↓ and enter"),
        ("ctrl+s", "send what you typed (ctrl+enter works in some terminals)"),
        ("escape", "stop typing; press again to leave (your place is saved)"),
        ("ctrl+g  h", "a hint (practice)"),
        ("ctrl+r", "undo your last turn (practice)"),
        ("enter", "see the debrief when the conversation ends"),
    )),
    ("Debrief", (
        ("↑ ↓  pgup pgdn", "read"),
        ("w", "write a reflection; ctrl+s saves it"),
        ("a", "try the scenario again"),
        ("p", "your progress"),
        ("escape", "back to the catalog"),
    )),
)


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(width=16, no_wrap=True)
    table.add_column()
    for i, (section, keys) in enumerate(KEYS):
        if i:
            table.add_row("", "")
        table.add_row(Text(section, style="bold underline"), "")
        for key, what in keys:
            table.add_row(Text(key, style="bold"), what)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(help_table())

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"
        self.query_one("#help").border_subtitle = "escape closes"
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
