"""Small modal dialogs; each returns a typed result through `dismiss`."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from trainer.tui.messages import NewTrainee
from trainer.tui.text import safe

MAX_NAME = 80


class NewTraineeDialog(ModalScreen[NewTrainee | None]):
    """Name and program trainee id for a new profile."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("New trainee", style="bold"), classes="dialog-title")
            yield Label("Your name, as your program knows you")
            yield Input(id="name", placeholder="e.g. Alex Rivera", max_length=MAX_NAME)
            yield Label("Program trainee id (optional)")
            yield Input(id="program-id", placeholder="from your certification program, if you have one", max_length=MAX_NAME)
            yield Static(id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Create", id="create", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _next_field(self) -> None:
        self.query_one("#program-id", Input).focus()

    @on(Input.Submitted, "#program-id")
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        name = " ".join(self.query_one("#name", Input).value.split())
        program_id = self.query_one("#program-id", Input).value.strip()
        if not name:
            self.query_one("#problem", Static).update("Please type a name first.")
            self.query_one("#name", Input).focus()
            return
        self.dismiss(NewTrainee(name, program_id))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; enter means the primary answer, escape means no."""

    BINDINGS = [Binding("escape", "no", "No"), Binding("y", "yes", "Yes", show=False), Binding("n", "no", "No", show=False)]

    def __init__(self, title: str, body: str, yes: str = "Yes", no: str = "No"):
        super().__init__()
        self.title_text, self.body, self.yes, self.no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe(self.title_text, "bold"), classes="dialog-title")
            yield Static(safe(self.body))
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="primary", compact=True)
                yield Button(self.no, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class MessageDialog(ModalScreen[None]):
    """Something the trainee should read before going on (a changed scenario, a records problem)."""

    BINDINGS = [Binding("escape,enter", "close", "OK")]

    def __init__(self, title: str, body: str, button: str = "OK"):
        super().__init__()
        self.title_text, self.body, self.button = title, body, button

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(safe(self.title_text, "bold"), classes="dialog-title")
            yield Static(safe(self.body))
            with Horizontal(classes="buttons"):
                yield Button(self.button, id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        self.dismiss(None)
