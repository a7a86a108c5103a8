"""The trainee's conversation screen: the play panel plus a way out that keeps their place."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from trainer.tui.screens.dialogs import ConfirmDialog
from trainer.tui.session import PlaySession
from trainer.tui.widgets.play import PlayPanel, ResponseBox


class PlayScreen(Screen[None]):
    BINDINGS = [Binding("escape", "leave", "Leave")]

    def __init__(self, session: PlaySession):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield PlayPanel(self.session, id="play")
        yield Footer()

    def on_mount(self) -> None:
        self.update_title()

    def update_title(self) -> None:
        s = self.session
        where = "finished" if s.state.finished else f"turn {s.state.turns + 1}"
        self.app.sub_title = f"{s.scenario.title} · {s.mode} · {where}"

    @on(PlayPanel.Moved)
    def _moved(self) -> None:
        self.update_title()

    @on(PlayPanel.Ended)
    def _ended(self, event: PlayPanel.Ended) -> None:
        self.app.show_debrief(event.session, replace=self)

    def action_leave(self) -> None:
        words = self.query_one(ResponseBox).text.strip() and not self.session.state.finished
        kept = self.query_one(PlayPanel).save_draft()
        if words and not kept:
            self.app.push_screen(
                ConfirmDialog("Leave this conversation?",
                              "The words in the box have not been sent, and they could not be saved.",
                              yes="Leave", no="Stay"),
                lambda leave: self._leave() if leave else None,
            )
            return
        self._leave(with_words=bool(words))

    def _leave(self, with_words: bool = False) -> None:
        if self.session.state.finished:
            self.app.show_debrief(self.session, replace=self)
            return
        saved = self.session.records.saving
        self.app.pop_screen()
        if not saved:
            message = "Left the conversation. (Records are unavailable, so it was not saved.)"
        elif with_words:
            message = "Your place and the words you typed are saved. Press r in the catalog to pick it up."
        else:
            message = "Your place is saved. Press r in the catalog to pick it up."
        self.app.notify(message, timeout=4)
