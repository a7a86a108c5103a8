"""Who is practising: pick a profile or make one. Several trainees can share a machine."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from trainer.tui.messages import NewTrainee
from trainer.tui.records import TraineeInfo
from trainer.tui.screens.dialogs import NewTraineeDialog
from trainer.tui.text import safe

NEW_ID = "__new__"


class SignInScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "new", "New trainee"),
        Binding("enter", "sign_in", "Sign in", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="signin"):
            yield Static(Text("Welcome", style="bold"), id="welcome")
            yield Static(
                "Practise the hard conversations of peer support, at your own pace.\n"
                "What you type stays on this computer.",
                id="welcome-body",
            )
            yield Static(id="records-problem", classes="problem")
            yield Static(Text("Who is practising?", style="bold"), id="who")
            yield OptionList(id="trainees")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "Sign in"
        problem = self.app.records.problem
        banner = self.query_one("#records-problem", Static)
        if problem:
            banner.update(safe(f"Your records could not be opened: {problem}\n"
                               "You can still practise, but nothing will be saved this time."))
        banner.display = bool(problem)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        trainees = self.app.records.trainees()
        self._trainees = {t.id: t for t in trainees}
        options = self.query_one("#trainees", OptionList)
        options.clear_options()
        for t in trainees:
            label = Text.assemble(safe(t.name, "bold"))
            if t.program_id:
                label.append_text(safe(f"   program id {t.program_id}", "dim"))
            options.add_option(Option(label, id=t.id))
        options.add_option(Option(Text("+ Someone new…", style="italic"), id=NEW_ID))
        index = 0
        if select is not None:
            index = next((i for i, t in enumerate(trainees) if t.id == select), 0)
        options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected, "#trainees")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_ID:
            self.action_new()
        else:
            self.sign_in(self._trainees[event.option.id])

    def action_sign_in(self) -> None:
        options = self.query_one("#trainees", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_new(self) -> None:
        self.app.push_screen(NewTraineeDialog(), self._created)

    def _created(self, result: NewTrainee | None) -> None:
        if result is None:
            return
        trainee = self.app.records.add_trainee(result.name, result.program_id)
        if trainee is None:
            return  # the records problem was already shown
        self.reload(select=trainee.id)
        self.sign_in(trainee)

    def sign_in(self, trainee: TraineeInfo) -> None:
        self.app.sign_in(trainee)
