"""The conversation itself: transcript, coach, and the trainee's turn (choices or a text box).

One widget, so the trainee's play screen and the instructor's preview share it. It owns a
PlaySession and changes it only in its own handlers; judging a typed response runs in a
thread worker that posts `Judged` back. Words in the answer box are saved as a draft with the
attempt a moment after they change, so leaving or a killed process does not lose them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from trainer.engine.engine import EngineError
from trainer.scoring.judgment import Judgment
from trainer.tui.coaching import last_note
from trainer.tui.session import JudgeRequest, PlaySession
from trainer.tui.text import safe
from trainer.tui.widgets.coach import CoachPanel
from trainer.tui.widgets.transcript import Transcript

DRAFT_SAVE_DELAY = 1.0  # seconds from a change in the box to saving it (at most this much typing is lost)


class ChoiceList(OptionList):
    """Numbered choices: 1-9 pick directly, arrows and enter work as in any list."""

    BINDINGS = [Binding("1", "pick(1)", "Choose", key_display="1-9")] + [
        Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)
    ]

    @dataclass
    class Picked(Message):
        number: int  # 1-based, as shown

    def set_choices(self, texts: list[str]) -> None:
        self.clear_options()
        self.add_options(
            Option(Text.assemble((f"{i}. ", "bold"), safe(t)), id=f"choice-{i}") for i, t in enumerate(texts, 1)
        )
        self.highlighted = 0 if texts else None

    def action_pick(self, number: int) -> None:
        if 1 <= number <= self.option_count:
            self.highlighted = number - 1
            self.post_message(self.Picked(number))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(event.option_index + 1))


class ResponseBox(TextArea):
    """The multi-line answer box; escape hands focus back so letter keys work again.

    Send is bound here, not as an app-wide priority key, so it is handled in order with the
    keys typed before it: fast typing (or tmux send-keys) never sends half a sentence.
    """

    BINDINGS = [
        Binding("escape", "leave_box", "Stop typing"),
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+enter", "send", "Send", show=False),
    ]

    def action_send(self) -> None:
        for panel in self.ancestors:
            if isinstance(panel, PlayPanel):
                panel.action_send()
                return

    def action_leave_box(self) -> None:
        transcripts = self.screen.query(Transcript)
        if transcripts:
            transcripts.first().focus()


class PlayPanel(Vertical):
    BINDINGS = [
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+enter", "send", "Send", show=False),
        Binding("ctrl+g", "hint", "Hint"),
        Binding("h", "hint", "Hint", show=False),
        Binding("ctrl+r", "undo", "Undo"),
        Binding("enter", "debrief", "Debrief", show=False),
    ]

    @dataclass
    class Judged(Message):
        """Posted by the judging worker: the judgment, or why there is none."""

        request: JudgeRequest
        judgment: Judgment | None
        error: str = ""

    @dataclass
    class Moved(Message):
        """The state changed (a move, a hint, an undo); the preview follows the node."""

        panel: "PlayPanel"

    @dataclass
    class Ended(Message):
        """The trainee asked for the debrief of a finished attempt."""

        session: PlaySession

    def __init__(self, session: PlaySession, *, id: str | None = None):
        super().__init__(id=id)
        self.session = session
        self.busy = False
        self.last_hint = ""
        self._draft_timer: Timer | None = None

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="talk"):
            yield Transcript(self.session.scenario, id="transcript")
            if self.session.practice:
                yield CoachPanel(id="coach")
        with Vertical(id="turn"):
            yield Static(id="turn-prompt")
            yield ChoiceList(id="choices")
            yield ResponseBox(id="response", soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                              placeholder="Type what you would say. Enter starts a new line.")
            yield Button("See your debrief  ⏎", id="to-debrief", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#transcript").border_title = "Conversation"
        self.query_one(ResponseBox).border_subtitle = "ctrl+s sends · esc stops typing"
        if not self.session.practice:
            self.query_one("#transcript").border_subtitle = "Assessment: feedback comes in the debrief"
        self.redraw(since=0)  # a resumed attempt shows the coach's note on its last move

    # --- drawing ---------------------------------------------------------------------------

    def redraw(self, since: int = 0, hint: str = "") -> None:
        """Show the session's state; the coach comments on moves at or after `since`."""
        session = self.session
        state = session.state
        self.query_one(Transcript).show(state.transcript)
        if session.practice:
            note = last_note(state.transcript, since, session.flag_severity)
            coach = self.query_one(CoachPanel)
            if note is not None or hint:
                coach.show_note(note, hint)
            elif not state.history:
                coach.show_welcome()
        turn = session.turn()
        prompt = self.query_one("#turn-prompt", Static)
        choices = self.query_one(ChoiceList)
        box = self.query_one(ResponseBox)
        button = self.query_one("#to-debrief", Button)
        choices.display = turn.kind == "choice"
        box.display = turn.kind == "respond"
        button.display = turn.kind == "ending"
        turn_box = self.query_one("#turn")
        turn_box.set_class(turn.kind == "respond", "-respond")
        if turn.kind == "choice":
            choices.set_choices([c.text for c in turn.choices])
            prompt.update(Text("Your turn — pick a reply (1-{n} or arrows and enter)".format(n=len(turn.choices)), style="bold"))
            choices.focus()
        elif turn.kind == "respond":
            if session.draft and not box.text:
                box.text = session.draft  # a resumed attempt's unsent words
                box.move_cursor(box.document.end)
            words = safe(turn.prompt or "What would you say?", "bold")
            if not session.can_judge:
                words.append_text(Text("\nScoring is not available right now, so typed answers cannot be judged.", style="italic"))
            prompt.update(words)
            box.read_only = False
            box.focus()
        else:
            session.finish()
            prompt.update(Text("The conversation has ended. Take a breath — then press enter for your debrief.", style="bold"))
            button.focus()
        self.refresh_bindings()
        self.post_message(self.Moved(self))

    def focus_turn(self) -> None:
        kind = self.session.turn().kind
        target = {"choice": ChoiceList, "respond": ResponseBox}.get(kind)
        if target is not None:
            self.query_one(target).focus()
        else:
            self.query_one("#to-debrief", Button).focus()

    def replace_session(self, session: PlaySession) -> None:
        """Swap in another session (the preview jumping or reloading) and redraw from scratch."""
        self.session = session
        self.busy = False
        self._cancel_draft_timer()
        self.query_one(Transcript).scenario = session.scenario
        self.query_one(Transcript).show([])
        self.query_one(ResponseBox).text = ""
        self.redraw(since=len(session.state.transcript))

    # --- the unsent words ----------------------------------------------------------------------

    @on(TextArea.Changed, "#response")
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.session.set_draft(event.text_area.text)
        if self.session.draft_unsaved and self._draft_timer is None and not self.busy:
            self._draft_timer = self.set_timer(DRAFT_SAVE_DELAY, self.save_draft)

    def save_draft(self) -> bool:
        """Save the box's words now (leaving, quitting, or the timer after a change)."""
        self._cancel_draft_timer()
        return self.session.save_draft()

    def _cancel_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def on_unmount(self) -> None:
        self.save_draft()  # quitting with words in the box

    # --- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.session
        kind = session.turn().kind
        if action == "send":
            return kind == "respond"
        if action in ("hint",):
            return session.practice and kind != "ending"
        if action == "undo":
            return session.practice and kind != "ending" and (True if session.state.history else None)
        if action == "debrief":
            return kind == "ending"
        return True

    def _typing(self) -> bool:
        return isinstance(self.screen.focused, TextArea)

    @on(ChoiceList.Picked)
    def _picked(self, event: ChoiceList.Picked) -> None:
        event.stop()
        if self.busy:
            return
        since = len(self.session.state.transcript)
        try:
            self.session.choose(event.number)
        except EngineError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        self.last_hint = ""
        self.redraw(since)

    def action_send(self) -> None:
        if self.busy:
            return
        box = self.query_one(ResponseBox)
        try:
            request = self.session.judge_request(box.text)
        except EngineError as exc:
            self.app.notify(str(exc).capitalize() + ".", severity="warning")
            return
        self.busy = True
        self._cancel_draft_timer()  # the words are on their way; saved again only if judging fails
        box.read_only = True
        self.query_one("#turn-prompt", Static).update(Text("Reading your response…", style="italic"))
        self._judge(request, self.session.scorer)

    @work(thread=True, exclusive=True, group="judge")
    def _judge(self, request: JudgeRequest, scorer: Any) -> None:
        try:
            judgment = request.run(scorer)
        except Exception as exc:  # noqa: BLE001 - a scorer bug must not take the trainee's words with it
            self.post_message(self.Judged(request, None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Judged(request, judgment))

    @on(Judged)
    def _judged(self, event: Judged) -> None:
        event.stop()
        self.busy = False
        box = self.query_one(ResponseBox)
        box.read_only = False
        if event.judgment is None:
            self.app.notify(f"Your response could not be judged ({event.error}). Your words are still in the box.",
                            severity="error", timeout=8)
            self.save_draft()
            self.redraw(len(self.session.state.transcript))
            return
        since = len(self.session.state.transcript)
        try:
            self.session.respond_judged(event.request, event.judgment)
        except EngineError as exc:
            self.app.notify(str(exc), severity="error")
            return
        box.text = ""
        self.last_hint = ""
        self.redraw(since)

    def action_hint(self) -> None:
        if self.busy or not self.session.practice:
            return
        try:
            text = self.session.hint()
        except EngineError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        if not text:
            self.app.notify("There is no hint for this turn. Trust what you've heard so far.")
            return
        self.last_hint = text
        self.query_one(Transcript).show(self.session.state.transcript)
        self.query_one(CoachPanel).show_hint(text)
        self.post_message(self.Moved(self))

    def action_undo(self) -> None:
        if self.busy:
            return
        try:
            self.session.undo()
        except EngineError as exc:
            self.app.notify(str(exc).capitalize() + ".", severity="warning")
            return
        self.app.notify("Took that turn back.", timeout=2)
        self.redraw(since=len(self.session.state.transcript))

    def action_debrief(self) -> None:
        if self.session.state.finished:
            self.post_message(self.Ended(self.session))

    @on(Button.Pressed, "#to-debrief")
    def _to_debrief(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_debrief()

    def on_key(self, event) -> None:
        # typing counts as engaged time; the store drops idle gaps by its own policy
        self.session.touch_throttled()
