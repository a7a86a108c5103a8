"""After the conversation: how it ended, score by competency, flags, each turn annotated,
model responses, a reflection to write, and the hours credited."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from trainer.engine.results import AttemptResult
from trainer.tui.coaching import SET_ASIDE, competency_name, flag_title, parse_feedback, split_set_aside
from trainer.tui.widgets.coach import LINE_LABELS
from trainer.tui.records import Finished
from trainer.tui.session import PlaySession
from trainer.tui.text import bar, hours, one_line, percent, safe
from trainer.tui.widgets.records_status import RecordsStatus

QUALITY_STYLE = {"strong": "bold green", "acceptable": "bold yellow", "weak": "bold red"}
OUTCOME_TITLES = {
    "exemplary": "It went really well",
    "adequate": "It went OK",
    "poor": "The conversation stalled",
    "harmful": "A step outside the peer role",
}
REFLECTION_PROMPT = "What went well? What would you try differently next time? (Only you and your program see this.)"


def outcome_text(session: PlaySession, result: AttemptResult, finished: Finished | None) -> Text:
    scenario, state = session.scenario, session.state
    text = Text()
    text.append(OUTCOME_TITLES.get(result.outcome or "", "The conversation ended"), style="bold")
    if result.passed is not None:
        text.append("   ")
        text.append(" PASSED " if result.passed else " NOT PASSED THIS TIME ",
                    style="bold reverse green" if result.passed else "bold reverse yellow")
    node = scenario.nodes.get(state.ending or "")
    if node is not None and node.debrief:
        text.append("\n")
        text.append_text(safe(node.debrief))
    text.append("\n\n")
    text.append_text(Text.assemble(("Overall  ", "dim"), bar(result.score, 24), " ", (percent(result.score), "bold")))
    if result.passed is not None:
        text.append_text(Text(f"   pass mark {percent(scenario.pass_score)}", style="dim"))
    if result.hints_used:
        text.append_text(Text(f"\nHints used: {result.hints_used}", style="dim"))
    text.append("\n")
    text.append_text(hours_text(session, finished))
    return text


def hours_text(session: PlaySession, finished: Finished | None) -> Text:
    if session.records.problem == "preview":
        return Text("This is a preview: nothing is recorded and no hours are credited.", style="italic")
    if not session.records.saving:
        return Text("Records are unavailable, so no hours were credited for this attempt.", style="italic")
    if finished is None or finished.hours is None:
        return Text("Time credited: not recorded.", style="italic")
    category = (finished.category or session.scenario.hour_category).replace("-", " ")
    minutes = finished.minutes or 0.0
    text = Text.assemble(("Credited  ", "dim"), (f"{minutes:.0f} min", "bold"), f" of {category} time")
    if finished.hours:
        text.append_text(Text.assemble(" (", (hours(finished.hours), "bold"), ")"))
    notes = [n for n in finished.notes if n and n != "credited"]
    for note in notes:
        text.append_text(safe(f"\n{note}", "dim italic"))
    if not notes:
        text.append_text(Text("\nYour hours add up across attempts; see Progress (p).", style="dim"))
    return text


def competencies_table(result: AttemptResult) -> Table | Text:
    if not result.competencies:
        return Text("No competencies were scored in this attempt.", style="italic")
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(width=20, no_wrap=True)
    table.add_column(width=5, justify="right")
    for comp, level in sorted(result.competencies.items(), key=lambda kv: -kv[1]):
        table.add_row(safe(competency_name(comp)), bar(level, 20), percent(level))
    return table


def flags_text(result: AttemptResult) -> Text:
    if not result.flags:
        return Text("No red flags. Nothing you said stepped outside the peer role.", style="italic")
    text = Text()
    for i, f in enumerate(result.flags):
        if i:
            text.append("\n\n")
        label = " CRITICAL " if f.severity == "critical" else " watch "
        text.append(label, style="bold reverse red" if f.severity == "critical" else "bold reverse yellow")
        text.append(" ")
        text.append_text(safe(flag_title(f.id), "bold"))
        if f.words:
            text.append("\n  Your words: ", style="dim")
            text.append_text(safe(f"“{f.words}”", "bold"))
        if f.feedback:
            text.append("\n  ")
            text.append_text(safe(f.feedback))
        if f.why:
            text.append("\n  Why it is out of scope: " if f.severity == "critical" else "\n  Why it matters: ",
                        style="dim")
            text.append_text(safe(f.why))
        if f.instead:
            text.append("\n  Instead: ", style="dim")
            text.append_text(safe(f.instead))
    return text


def annotated_transcript(session: PlaySession, result: AttemptResult) -> Text:
    scenario, transcript = session.scenario, session.state.transcript
    if not result.turns:
        return Text("No turns were taken.", style="italic")
    text = Text()
    for i, note in enumerate(result.turns):
        if i:
            text.append("\n\n")
        context = next((e for e in reversed(transcript[: note.index])
                        if e.get("kind") == "line" and e.get("speaker")), None)
        if context is not None:
            text.append_text(safe(f"{scenario.speaker_name(context['speaker'])}: ", "dim"))
            text.append_text(safe(one_line(context.get("text", ""), 200), "dim italic"))
            text.append("\n")
        text.append(f" {note.quality} ", style="reverse " + QUALITY_STYLE.get(note.quality, "bold"))
        text.append(" You: ", style="bold")
        text.append_text(safe(note.said))
        lines, plain = parse_feedback(tuple(note.reasons))
        plain, set_aside = split_set_aside(plain)
        for reason in plain:
            text.append("\n  ")
            text.append_text(safe(reason, "italic"))
        for line in lines:
            label, style = LINE_LABELS[line.kind]
            text.append("\n  ")
            text.append_text(Text.assemble((label, style), (f" · {line.item.replace('-', ' ')}: ", "dim"),
                                           safe(line.text)))
        for reason in set_aside:
            # what the scorer checked and did not count: last, as in the coach
            text.append("\n  ")
            text.append_text(Text.assemble(("· Checked and not counted", "dim"), (" · ", "dim"),
                                           safe(reason.removeprefix(SET_ASIDE), "dim")))
    return text


def model_responses_text(session: PlaySession) -> Text | None:
    scenario, state = session.scenario, session.state
    seen: list[tuple[str, str]] = []
    for entry in state.transcript:
        if entry.get("kind") == "response":
            node = scenario.nodes.get(entry["node"])
            if node is not None and node.respond is not None:
                label = node.respond.prompt or "A typed turn"
                seen.extend((label, m) for m in node.respond.model_responses)
    ending = scenario.nodes.get(state.ending or "")
    if ending is not None:
        seen.extend(("The whole conversation", m) for m in ending.model_responses)
    if not seen:
        return None
    text = Text()
    last = None
    for label, model in seen:
        if label != last:
            if last is not None:
                text.append("\n")
            text.append_text(safe(label, "bold"))
            last = label
        text.append("\n  “")
        text.append_text(safe(model))
        text.append("”")
    return text


class Reflection(TextArea):
    """Where the trainee writes their reflection; escape returns to reading."""

    BINDINGS = [Binding("escape", "done", "Stop writing", show=False)]

    def action_done(self) -> None:
        self.screen.query_one("#debrief").focus()


class DebriefScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save_reflection", "Save", priority=True),
        Binding("w", "write", "Reflect"),
        Binding("p", "progress", "Progress"),
        Binding("a", "again", "Again"),
        Binding("escape", "back", "Catalog"),
    ]

    def __init__(self, session: PlaySession):
        super().__init__()
        self.session = session
        self.saved_reflection = ""

    def compose(self) -> ComposeResult:
        session = self.session
        result = session.result()
        finished = session.finish()
        yield Header(show_clock=False)
        with VerticalScroll(id="debrief"):
            yield Static(outcome_text(session, result, finished), id="outcome", classes="section")
            yield Static(competencies_table(result), id="competencies", classes="section")
            yield Static(flags_text(result), id="flags", classes="section")
            yield Static(annotated_transcript(session, result), id="turns", classes="section")
            models = model_responses_text(session)
            if models is not None:
                yield Static(models, id="models", classes="section")
            yield Static(Text(REFLECTION_PROMPT, style="italic"), id="reflection-prompt")
            yield Reflection(id="reflection", soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                             placeholder="Write a few lines, then press ctrl+s to save.")
            yield Static(id="reflection-status")
        yield RecordsStatus(id="records-status")
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        self.app.sub_title = f"{s.scenario.title} · debrief"
        titles = {"outcome": "How it went", "competencies": "Score by competency", "flags": "Flags",
                  "turns": "Turn by turn", "models": "What a strong response can sound like"}
        for wid, title in titles.items():
            for w in self.query(f"#{wid}"):
                w.border_title = title
        self.query_one("#debrief").focus()

    def action_write(self) -> None:
        area = self.query_one(Reflection)
        area.focus()
        area.scroll_visible()

    def action_save_reflection(self) -> None:
        text = self.query_one(Reflection).text.strip()
        status = self.query_one("#reflection-status", Static)
        if not text:
            status.update(Text("Nothing to save yet.", style="italic"))
            return
        if self.session.records.save_reflection(self.session.attempt_id, text):
            self.saved_reflection = text
            status.update(Text("Saved. Thank you for taking a moment with it.", style="italic green"))
        else:
            status.update(Text("Your reflection could not be saved.", style="italic red"))

    def action_back(self) -> None:
        draft = self.query_one(Reflection).text.strip()
        if draft and draft != self.saved_reflection and self.session.records.saving:
            from trainer.tui.screens.dialogs import ConfirmDialog

            self.app.push_screen(ConfirmDialog("Save your reflection?", "You wrote a reflection that is not saved yet.",
                                               yes="Save and leave", no="Leave without saving"), self._leave_after)
            return
        self.app.pop_screen()

    def _leave_after(self, save: bool | None) -> None:
        if save:
            self.action_save_reflection()
        self.app.pop_screen()

    def action_progress(self) -> None:
        self.app.open_progress()

    def action_again(self) -> None:
        self.app.pop_screen()
        self.app.open_prebrief_for(self.session.scenario.id)
