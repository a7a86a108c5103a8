"""Progress: hours by category against the requirement, scores over time, attempt history."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from trainer.tui.records import AttemptInfo, HoursInfo
from trainer.tui.text import bar, hours, one_line, percent, safe, sparkline
from trainer.tui.widgets.records_status import RecordsStatus

SPARK_POINTS = 40


def _label(info: HoursInfo, category: str) -> str:
    return info.labels.get(category) or category.replace("-", " ").capitalize()


def hours_table(info: HoursInfo) -> Table:
    """Earned against required (inside the requirement's window), then all-time totals."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=16, no_wrap=True, overflow="ellipsis")
    table.add_column(width=22, no_wrap=True)
    table.add_column(ratio=1, no_wrap=True)
    req = info.requirement
    if req is not None:
        table.add_row(Text("Total", style="bold"),
                      bar(req.earned_total / req.required_total if req.required_total else None, 22),
                      Text(f"{hours(req.earned_total)} of {hours(req.required_total)}", style="bold"))
        for cat, (need, have) in req.by_category.items():
            table.add_row(safe(_label(info, cat)), bar(have / need if need else None, 22),
                          f"{hours(have)} of {hours(need)}")
        others = [c for c in info.by_category if c not in req.by_category]
    else:
        others = list(info.by_category)
        table.add_row(Text("Total", style="bold"), bar(None, 22), Text(hours(info.total), style="bold"))
    for cat in others:
        table.add_row(safe(_label(info, cat)), bar(None, 22), hours(info.by_category[cat]))
    return table


def hours_note(info: HoursInfo) -> Text:
    """One line under the bars: the requirement and what is left."""
    req = info.requirement
    if req is None:
        return Text("No hours requirement is set for your program.", style="dim italic")
    left = req.required_total - req.earned_total
    head = f"{hours(left)} to go" if left > 0 else "Requirement met"
    return safe(f"{head}: {req.name}" + (f" ({req.period})" if req.period else "") + ".", "dim italic")


def about_hours(info: HoursInfo) -> Text:
    parts = [f"Unit: {info.unit}."]
    if info.total:
        parts.append(f"All time: {hours(info.total)}.")
    parts.extend(info.notes)
    if not info.notes:
        parts.append("Your certification board decides which hours it accepts.")
    parts.append("Each attempt's credited minutes are added up and rounded by your program's policy.")
    return safe(" ".join(parts), "dim")


def score_chart(attempts: list[AttemptInfo]) -> Text:
    scored = [a for a in sorted(attempts, key=lambda a: a.when) if a.finished and a.score is not None]
    if not scored:
        return Text("Finish a conversation to see your scores here.", style="italic")
    values = [a.score for a in scored][-SPARK_POINTS:]  # type: ignore[misc]
    text = Text.assemble(("Scores over time  ", "dim"), (sparkline(values), "bold"),
                         ("   latest ", "dim"), percent(values[-1]), ("  best ", "dim"), percent(max(values)))
    if len(values) >= 4:
        recent, earlier = values[-3:], values[:-3]
        trend = sum(recent) / len(recent) - sum(earlier) / len(earlier)
        if trend > 0.05:
            text.append("   trending up", style="green")
        elif trend < -0.05:
            text.append("   a dip lately — that's part of learning", style="yellow")
    return text


class ProgressScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="progress"):
            yield Static(id="hours", classes="section")
            yield Static(id="chart", classes="section")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Static(id="about-hours", classes="section")
        yield RecordsStatus(id="records-status")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        trainee = app.trainee
        app.sub_title = f"{trainee.name} · Progress" if trainee else "Progress"
        info = app.records.hours(trainee.id) if trainee else HoursInfo()
        attempts = app.records.attempts(trainee.id) if trainee else []
        hours_widget = self.query_one("#hours", Static)
        hours_widget.border_title = "Training hours"
        from rich.console import Group

        hours_widget.update(Group(hours_table(info), hours_note(info)))
        chart = self.query_one("#chart", Static)
        chart.border_title = "Scores"
        chart.update(score_chart(attempts))
        table = self.query_one("#history", DataTable)
        table.border_title = "Attempts"
        table.add_columns("Date", "Scenario", "Mode", "Result", "Score", "Credited")
        titles = {sid: s.title for sid, s in app.library.scenarios.items()} if app.library else {}
        for a in sorted(attempts, key=lambda a: a.when, reverse=True):
            title = a.scenario_title or titles.get(a.scenario_id, a.scenario_id)
            if a.status == "abandoned":
                result = Text("set aside", style="dim")
            elif not a.finished:
                result = Text("in progress", style="yellow")
            elif a.passed is not None:
                result = Text("passed" if a.passed else "not passed", style="green" if a.passed else "yellow")
            else:
                result = safe(a.outcome or "finished")
            table.add_row(safe(a.when[:10]), safe(one_line(title, 22)), a.mode, result,
                          percent(a.score), f"{a.credited_minutes:.0f} min" if a.finished else "")
        if not attempts:
            table.display = False
        about = self.query_one("#about-hours", Static)
        about.border_title = "About these hours"
        about.update(about_hours(info))
        self.query_one("#progress").focus()

    def action_back(self) -> None:
        self.app.pop_screen()
