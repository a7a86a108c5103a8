"""The catalog: scenarios by theme with status, best score and hours; search, filter, resume."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from trainer.tui.overview import (
    COMPLETED, FILTERS, IN_PROGRESS, NEW, PASSED, CatalogEntry, build_catalog, grouped, matches, theme_title,
)
from trainer.tui.text import hours, one_line, percent, safe
from trainer.tui.widgets.records_status import RecordsStatus

ROW_WIDTH = 46  # the list's inner width at 80 columns; recomputed from the real width
STATUS_GLYPH = {NEW: ("○", "dim"), IN_PROGRESS: ("◐", "yellow"), COMPLETED: ("●", "blue"), PASSED: ("✔", "green")}
LEGEND = "○ new  ◐ in progress  ● completed  ✔ passed"


def row_text(entry: CatalogEntry, width: int = ROW_WIDTH) -> Text:
    """Status glyph, title, best score and credited hours in columns (the legend names the glyphs)."""
    glyph, style = STATUS_GLYPH[entry.status]
    title_width = max(10, width - 2 - 11)
    title = one_line(entry.scenario.title, title_width).ljust(title_width)
    best = percent(entry.best) if entry.best is not None else ""
    credited = hours(entry.hours).replace(" ", "") if entry.hours else ""
    return Text.assemble((glyph + " ", style), title, " ", (best.rjust(4), "bold"), " ", (credited.rjust(5), "dim"))


class CatalogScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filter", "Filter"),
        Binding("r", "resume", "Resume"),
        Binding("p", "progress", "Progress"),
        Binding("s", "switch_trainee", "Switch trainee"),
        Binding("d", "problems", "Problems", show=False),
        Binding("escape", "clear_search", "Clear search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[CatalogEntry] = []
        self.status_filter = "all"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="catalog-bar"):
            yield Input(placeholder="Search scenarios  (/)", id="search")
            yield Static(id="filter-label")
        yield Static(id="resume-banner", classes="banner")
        with Horizontal(id="catalog-body"):
            yield OptionList(id="scenarios")
            with VerticalScroll(id="details"):
                yield Static(id="details-body")
        yield Static(id="library-problems", classes="problem")
        yield RecordsStatus(id="records-status")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return bool(getattr(self, "saved", None))
        return True

    def on_mount(self) -> None:
        self.query_one("#details").border_title = "About"
        self.query_one("#scenarios").border_subtitle = LEGEND
        self.reload()
        self.query_one("#scenarios", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # --- data --------------------------------------------------------------------------------

    def reload(self) -> None:
        app = self.app
        trainee = app.trainee
        self.app.sub_title = f"{trainee.name} · Catalog" if trainee else "Catalog"
        if app.library is None:
            self.entries, self.saved = [], []
            options = self.query_one("#scenarios", OptionList)
            options.clear_options()
            options.add_option(Option(Text("Loading the scenarios…", style="italic"), disabled=True))
            self.query_one("#resume-banner", Static).display = False
            self.query_one("#library-problems", Static).display = False
            self.show_details(None)
            return
        attempts = app.records.attempts(trainee.id) if trainee else []
        saved = app.records.unfinished(trainee.id) if trainee else []
        credited = app.records.hours(trainee.id).by_scenario if trainee else {}
        scenarios = list(app.library.scenarios.values())
        self.entries = build_catalog(scenarios, attempts, saved, credited)
        self.saved = [s for s in saved if s.scenario_id in app.library.scenarios]
        self.refresh_list()
        self.refresh_banner()
        self.refresh_bindings()
        problems = [d for d in app.library.diagnostics if d.is_error]
        files = {d.file for d in problems}
        label = self.query_one("#library-problems", Static)
        label.display = bool(problems)
        if problems:
            label.update(Text(f"{len(files)} scenario file{'s' * (len(files) != 1)} could not be loaded and "
                              f"{'are' if len(files) != 1 else 'is'} hidden. Press d for details."))

    def refresh_banner(self) -> None:
        banner = self.query_one("#resume-banner", Static)
        banner.display = bool(self.saved)
        if self.saved:
            newest = max(self.saved, key=lambda s: s.updated_at)
            title = self.app.library.scenarios[newest.scenario_id].title
            more = f" (and {len(self.saved) - 1} more)" if len(self.saved) > 1 else ""
            banner.update(Text.assemble("You have a conversation in progress: ", safe(title, "bold"),
                                        f" ({newest.mode}){more}. Press ", ("r", "bold"), " to pick it up."))

    def visible(self) -> list[CatalogEntry]:
        query = self.query_one("#search", Input).value
        return [e for e in self.entries if matches(e, query, self.status_filter)]

    def refresh_list(self) -> None:
        if self.app.library is None:
            return
        options = self.query_one("#scenarios", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        shown = self.visible()
        self.query_one("#filter-label", Static).update(
            Text.assemble(("Showing: ", "dim"), (self.status_filter, "bold"), ("  f", "dim")))
        if not self.app.library.scenarios:
            options.add_option(Option(Text("No scenarios were found in this library.", style="italic"), disabled=True))
            self.show_details(None)
            return
        if not shown:
            options.add_option(Option(Text("Nothing matches. Press escape to clear the search.", style="italic"),
                                      disabled=True))
            self.show_details(None)
            return
        first = None
        width = (options.scrollable_content_region.width or ROW_WIDTH + 2) - 2
        for theme, entries in grouped(shown):
            options.add_option(Option(Text(theme_title(theme), style="bold underline"), disabled=True))
            for e in entries:
                options.add_option(Option(row_text(e, width), id=e.id))
                first = first or e.id
        target = keep if keep and keep in {e.id for e in shown} else first
        if target:
            options.highlighted = options.get_option_index(target)
        self.show_details(self.entry(target) if target else None)

    def entry(self, scenario_id: str | None) -> CatalogEntry | None:
        return next((e for e in self.entries if e.id == scenario_id), None)

    def current(self) -> CatalogEntry | None:
        option = self.query_one("#scenarios", OptionList).highlighted_option
        return self.entry(option.id) if option and option.id else None

    def show_details(self, entry: CatalogEntry | None) -> None:
        body = self.query_one("#details-body", Static)
        if entry is None:
            body.update("")
            return
        s = entry.scenario
        text = Text()
        text.append_text(safe(s.title, "bold"))
        text.append("\n")
        text.append_text(Text.assemble((entry.status, STATUS_GLYPH[entry.status][1]), ("  ·  ", "dim"),
                                       f"{s.estimated_minutes} min", ("  ·  ", "dim"),
                                       safe(s.hour_category.replace("-", " "))))
        if entry.best is not None or entry.hours:
            text.append_text(Text.assemble(("\nbest ", "dim"), percent(entry.best), ("  credited ", "dim"),
                                           hours(entry.hours), ("  attempts ", "dim"), str(entry.attempts)))
        if s.summary:
            text.append("\n\n")
            text.append_text(safe(s.summary))
        if s.content_warnings:
            text.append_text(Text.assemble(("\n\nContent notes: ", "dim"), safe(", ".join(s.content_warnings))))
        text.append_text(Text("\n\nPress enter to read the prebrief.", style="italic"))
        body.update(text)

    # --- events ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_list)

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_details(self.entry(event.option.id))

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        entry = self.entry(event.option.id)
        if entry is not None:
            self.app.open_prebrief(entry)

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one("#scenarios", OptionList).focus()

    def action_open(self) -> None:
        entry = self.current()
        if entry is not None:
            self.app.open_prebrief(entry)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one("#scenarios", OptionList).focus()

    def action_filter(self) -> None:
        self.status_filter = FILTERS[(FILTERS.index(self.status_filter) + 1) % len(FILTERS)]
        self.refresh_list()

    def action_resume(self) -> None:
        entry = self.current()
        saved = entry.saved if entry and entry.saved else None
        if saved is None and self.saved:
            saved = max(self.saved, key=lambda s: s.updated_at)
        if saved is None:
            self.app.notify("Nothing to resume: every conversation you started is finished.")
            return
        self.app.resume(saved)

    def action_progress(self) -> None:
        self.app.open_progress()

    def action_switch_trainee(self) -> None:
        self.app.sign_out()

    def action_problems(self) -> None:
        problems = [d for d in self.app.library.diagnostics if d.is_error] if self.app.library else []
        if not problems:
            return
        from trainer.tui.screens.dialogs import MessageDialog

        body = "\n\n".join(d.render() for d in problems[:20])
        self.app.push_screen(MessageDialog("Scenario files with problems", body +
                                           "\n\nAsk your instructor, or run 'peer-trainer validate'."))
