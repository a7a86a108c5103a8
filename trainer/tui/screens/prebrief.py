"""Before a conversation: who you are, where, who the person is, what to aim for; then the mode."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from trainer.tui.messages import StartChoice
from trainer.tui.overview import CatalogEntry, theme_title
from trainer.tui.text import safe

PRACTICE_TEXT = ("Practice: a coach comments after every turn; hints and undo are on. "
                 "Nothing here counts against you.")
ASSESSMENT_TEXT = ("Assessment: no feedback, hints or undo until the end. The debrief then shows your score "
                   "and whether you passed; the result goes on your record.")

PREBRIEF_HEADINGS = (("role", "Your role"), ("setting", "The setting"), ("person", "The person"),
                     ("policy", "Keep in mind"))


def prebrief_text(entry: CatalogEntry) -> Text:
    s = entry.scenario
    text = Text()
    text.append_text(safe(s.title, "bold"))
    text.append_text(Text.assemble(("   ", ""), (f"about {s.estimated_minutes} min · ", "dim"),
                                   safe(", ".join(theme_title(t) for t in s.themes), "dim")))
    for key, heading in PREBRIEF_HEADINGS:
        value = s.prebrief.get(key)
        if value:
            text.append(f"\n\n{heading}\n", style="bold")
            text.append_text(safe(value))
    if s.objectives:
        text.append("\n\nWhat to practise\n", style="bold")
        text.append_text(safe("\n".join(f"• {o}" for o in s.objectives)))
    if s.content_warnings:
        text.append("\n\nContent notes\n", style="bold")
        text.append_text(safe(", ".join(s.content_warnings)))
        text.append_text(Text("\nYou can leave at any time with escape; your place is saved.", style="italic"))
    return text


class PrebriefScreen(Screen[StartChoice | None]):
    BINDINGS = [
        Binding("p", "start('practice')", "Practice"),
        Binding("a", "start('assessment')", "Assessment"),
        Binding("r", "resume", "Resume"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, entry: CatalogEntry):
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="prebrief"):
            yield Static(prebrief_text(self.entry), id="prebrief-body")
        with VerticalScroll(id="modes"):
            if self.entry.saved:
                saved = self.entry.saved
                yield Static(Text.assemble(("You have this conversation in progress ", "bold"),
                                           f"({saved.mode}). Press r to pick up where you left off."), id="resume-note")
            yield Static(Text.assemble(("p  ", "bold"), PRACTICE_TEXT), classes="mode-text")
            yield Static(Text.assemble(("a  ", "bold"), ASSESSMENT_TEXT), classes="mode-text")
            with Horizontal(classes="buttons"):
                if self.entry.saved:
                    yield Button("Resume", id="resume", variant="success", compact=True)
                yield Button("Practice", id="practice", variant="primary", compact=True)
                yield Button("Assessment", id="assessment", compact=True)
                yield Button("Back", id="back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "Prebrief"
        self.query_one("#prebrief").border_title = "Prebrief"
        self.query_one("#resume" if self.entry.saved else "#practice", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return self.entry.saved is not None
        return True

    def action_start(self, mode: str) -> None:
        self.dismiss(StartChoice(self.entry.id, mode))

    def action_resume(self) -> None:
        if self.entry.saved is not None:
            self.dismiss(StartChoice(self.entry.id, self.entry.saved.mode, self.entry.saved))

    def action_back(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "resume":
            self.action_resume()
        elif event.button.id in ("practice", "assessment"):
            self.action_start(event.button.id)
        else:
            self.action_back()
