"""The practice-mode coach: feedback on the last move, the trainee's words highlighted."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from trainer.tui.coaching import CREDIT, SET_ASIDE, CoachNote
from trainer.tui.text import highlighted, percent, safe

CREDIT_STYLE = "bold underline green"
FLAG_STYLE = "bold reverse red"
MAX_TRIES = 3
# a turn may leave several criteria out (a crisis turn: six); past these, the rest are named on one line, and the
# debrief's turn by turn gives every reason
MAX_NOT_NEEDED = 2
LINE_LABELS = {
    "Critical": ("⚑ Outside the peer role", "bold red"),
    "Watch": ("⚑ Worth watching", "bold yellow"),
    "Met": ("✓ Worked", "bold green"),
    "Not credited": ("· Not counted", "dim"),
    "Not yet": ("+ You could also", "dim"),
    "Not needed": ("– Not needed here", "dim"),
}


def note_renderable(note: CoachNote, *, show_said: bool = True) -> Group:
    """The coach's note as Rich renderables: verdict, the words, what worked, what to look at."""
    parts: list[Text] = []
    critical = any(f.severity == "critical" for f in note.flags)
    score = "" if note.score is None or critical else "  " + percent(note.score)
    parts.append(Text.assemble((note.verdict, "bold"), (score, "dim")))
    if show_said and note.kind == "response":
        spans = [(h.start, h.end, CREDIT_STYLE if h.kind == CREDIT else FLAG_STYLE) for h in note.highlights]
        parts.append(Text.assemble(("You said: ", "dim"), highlighted(note.said, spans)))
        if note.highlights:
            parts.append(Text.assemble(("underlined", CREDIT_STYLE), " earned credit, ", ("marked", FLAG_STYLE),
                                       " raised a flag"))
    for line in note.feedback:
        parts.append(safe(line))
    if note.lines:
        tries = 0
        not_needed: list[str] = []
        for line in note.lines:
            if line.kind == "Not yet":
                tries += 1
                if tries > MAX_TRIES:
                    continue
            if line.kind == "Not needed":
                not_needed.append(line.item.replace("-", " "))
                if len(not_needed) > MAX_NOT_NEEDED:
                    continue
            label, style = LINE_LABELS[line.kind]
            parts.append(Text())
            parts.append(Text.assemble((label, style), (f" · {line.item.replace('-', ' ')}", "dim")))
            parts.append(safe(line.text))
        if len(not_needed) > MAX_NOT_NEEDED:
            rest = not_needed[MAX_NOT_NEEDED:]
            parts.append(Text())
            parts.append(Text.assemble(("– Also not needed here", "dim"), (f" · {', '.join(rest)}", "dim"),
                                       (" (why: in the debrief)", "dim italic")))
        if note.stuffing:
            parts.append(Text("Credit was limited: the response read like a list of phrases.", style="italic"))
        parts.extend(_set_aside(note))
        return Group(*parts)
    if note.credited:
        parts.append(Text("What worked", style="bold"))
        parts.extend(Text.assemble(("✓ ", "green"), safe(c)) for c in note.credited)
    for flag in note.flags:
        head = "Outside the peer role" if flag.severity == "critical" else "Worth watching"
        parts.append(Text.assemble(("⚑ ", "red"), (head + ": ", "bold"), safe(flag.id.replace("-", " "))))
        for words in flag.words:
            if words and note.kind == "response":
                parts.append(Text.assemble("  “", safe(words, FLAG_STYLE), "”"))
        if flag.feedback:
            parts.append(Text.assemble("  ", safe(flag.feedback)))
        if flag.why:
            parts.append(Text.assemble(("  Why: ", "dim"), safe(flag.why)))
        if flag.instead:
            parts.append(Text.assemble(("  Try: ", "dim"), safe(flag.instead)))
    if note.missed:
        parts.append(Text("Next time, you could also", style="bold"))
        parts.extend(Text.assemble("• ", safe(m)) for m in note.missed[:MAX_TRIES])
    if note.stuffing:
        parts.append(Text("Credit was limited: the response read like a list of phrases.", style="italic"))
    parts.extend(_set_aside(note))
    return Group(*parts)


def _set_aside(note: CoachNote) -> list[Text]:
    """The readings the scorer checked and did not count, last and quiet: they explain the scorer, not the move."""
    if not note.set_aside:
        return []
    parts = [Text(), Text("· Checked and not counted", style="dim")]
    for line in note.set_aside:
        line = line.removeprefix(SET_ASIDE)
        parts.append(safe(line[:1].upper() + line[1:], "dim"))
    return parts


class CoachPanel(VerticalScroll):
    """Shows the latest CoachNote, or a calm welcome before the first move (tab in to scroll it)."""

    def compose(self):
        yield Static(id="coach-body")

    def on_mount(self) -> None:
        self.border_title = "Coach"
        self.show_welcome()

    def show_welcome(self) -> None:
        self.query_one("#coach-body", Static).update(Text(
            "Practice mode: I'll comment on each turn.\nThere are no wrong turns here — you can undo any move.",
            style="italic",
        ))

    def show_note(self, note: CoachNote | None, hint: str = "") -> None:
        body = self.query_one("#coach-body", Static)
        items = []
        if hint:
            items.append(Text.assemble(("Hint: ", "bold yellow"), safe(hint)))
        if note is not None:
            items.append(note_renderable(note))
        if not items:
            self.show_welcome()
            return
        body.update(Group(*items))
        self.remove_class("strong", "acceptable", "weak")
        if note is not None:
            self.add_class(note.quality)
        self.scroll_home(animate=False)

    def show_hint(self, hint: str) -> None:
        body = self.query_one("#coach-body", Static)
        body.update(Text.assemble(("Hint: ", "bold yellow"), safe(hint)))
        self.remove_class("strong", "acceptable", "weak")
