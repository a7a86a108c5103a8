"""The instructor's preview: play a scenario file, jump to any node, see its diagnostics,
and pick up every save of the file without restarting.

Nothing is recorded: the preview plays with a guest `Records`, so an author's test runs
never land in a trainee's hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from trainer.diagnostics import Diagnostic, has_errors, sort_key
from trainer.engine.engine import Engine, EngineError
from trainer.engine.state import State
from trainer.scenario.model import Scenario
from trainer.tui.base import BaseApp
from trainer.tui.records import Records
from trainer.tui.session import PlaySession
from trainer.tui.text import safe
from trainer.tui.widgets.play import PlayPanel

POLL_SECONDS = 0.5
PREVIEW = "preview"  # the Records "problem" that marks a preview: nothing is saved
KIND_GLYPH = {"choice": "▸", "respond": "✎", "ending": "■", "goto": "→"}


@dataclass(frozen=True)
class Loaded:
    """One read of the scenario file: the scenario (None if it has errors), its diagnostics, the scorer."""

    scenario: Scenario | None
    diagnostics: tuple[Diagnostic, ...]
    scorer: Any
    stamp: tuple[float, int] | None


def file_stamp(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime, st.st_size)


def load(path: Path, scorer: Any = "auto") -> Loaded:
    """Compile the file with the rubrics beside it; never raises for a bad file."""
    from trainer.library import load_rubric_set, make_scorer, rubric_folders
    from trainer.scenario.compiler import load_scenario

    stamp = file_stamp(path)
    rubrics, rubric_diags = load_rubric_set(rubric_folders([path]))
    scenario, diags = load_scenario(path, rubrics)
    diagnostics = tuple(sorted(list(diags), key=sort_key))
    if scenario is not None and has_errors(diagnostics):
        scenario = None
    if scorer == "auto":
        try:
            scorer = make_scorer(rubrics)
        except Exception:  # noqa: BLE001 - no scoring is better than no preview
            scorer = None
    return Loaded(scenario, diagnostics, scorer, stamp)


def start_at(scenario: Scenario, scorer: Any, node_id: str, mode: str = "practice") -> State:
    """A fresh state entering `node_id` with the variables at their defaults."""
    return Engine(scenario, scorer).start_at(node_id, mode)


class PreviewScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "nodes", "Nodes"),
        Binding("ctrl+l", "reload", "Reload", show=False),
        Binding("ctrl+o", "restart", "Restart"),
        Binding("escape", "back_to_play", "Back to play", show=False),
    ]

    @dataclass
    class Reloaded(Message):
        loaded: Loaded
        forced: bool = False

    def __init__(self, path: Path, loaded: Loaded, mode: str = "practice", scorer: Any = "auto"):
        super().__init__()
        self.path = path
        self.loaded = loaded
        self.mode = mode
        self.scorer_choice = scorer  # "auto": the rubrics beside the file, re-read on every reload
        self.records = Records(None, PREVIEW)
        self._loading: tuple[float, int] | None = None  # the file stamp a reload is reading now

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="preview-body"):
            yield OptionList(id="nodes")
            with Vertical(id="preview-main"):
                yield Static(id="preview-broken")
        with VerticalScroll(id="diagnostics"):
            yield Static(id="diagnostics-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nodes").border_title = "Nodes"
        self.query_one("#diagnostics").border_title = "Diagnostics"
        self.show(self.loaded, keep_node=None)
        self.set_interval(POLL_SECONDS, self._poll)

    # --- drawing -----------------------------------------------------------------------------

    def show(self, loaded: Loaded, keep_node: str | None) -> None:
        self.loaded = loaded
        self.show_diagnostics(loaded.diagnostics)
        scenario = loaded.scenario
        broken = self.query_one("#preview-broken", Static)
        panels = self.query(PlayPanel)
        self.set_class(scenario is None, "-broken")
        if scenario is None:
            for panel in panels:
                panel.remove()
            broken.display = True
            broken.update(Text.assemble(("This scenario has errors, so it cannot be played yet.\n", "bold"),
                                        "Fix them and save the file: this view reloads by itself."))
            self.query_one("#nodes", OptionList).clear_options()
            self.app.sub_title = f"{self.path.name} · errors"
            return
        broken.display = False
        node = keep_node if keep_node in scenario.nodes else scenario.start
        session = self._session(scenario, loaded.scorer, node)
        if panels:
            panels.first().replace_session(session)
        else:
            self.query_one("#preview-main").mount(PlayPanel(session, id="play"))
        self.fill_nodes(scenario)

    def _session(self, scenario: Scenario, scorer: Any, node_id: str) -> PlaySession:
        try:
            state = start_at(scenario, scorer, node_id, self.mode)
        except EngineError as exc:
            self.app.notify(f"Cannot start at '{node_id}': {exc}", severity="error")
            state = Engine(scenario, scorer).start(self.mode)
        return PlaySession(scenario, scorer, self.records, None, state, self._flag_severity(scorer))

    @staticmethod
    def _flag_severity(scorer: Any):
        rubrics = getattr(scorer, "rubric_set", None)
        return rubrics.flag_severity if rubrics is not None else None

    def fill_nodes(self, scenario: Scenario) -> None:
        nodes = self.query_one("#nodes", OptionList)
        nodes.clear_options()
        for node in scenario.nodes.values():
            label = Text.assemble((KIND_GLYPH.get(node.kind, " ") + " ", "dim"), safe(node.id), no_wrap=True,
                                  overflow="ellipsis")
            nodes.add_option(Option(label, id=node.id))
        self.mark_current()

    def mark_current(self) -> None:
        panels = self.query(PlayPanel)
        if not panels:
            return
        state = panels.first().session.state
        nodes = self.query_one("#nodes", OptionList)
        try:
            nodes.highlighted = nodes.get_option_index(state.node)
        except Exception:  # noqa: BLE001 - the list is being rebuilt
            pass
        self.app.sub_title = f"{self.path.name} · {state.node} · {self.mode}"

    def show_diagnostics(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        body = self.query_one("#diagnostics-body", Static)
        box = self.query_one("#diagnostics")
        if not diagnostics:
            box.border_title = "Diagnostics"
            body.update(Text("No problems found.", style="green"))
            box.set_class(False, "-problems")
            return
        errors = sum(1 for d in diagnostics if d.is_error)
        warnings = len(diagnostics) - errors
        box.border_title = f"Diagnostics: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        box.set_class(True, "-problems")
        text = Text()
        for i, d in enumerate(diagnostics):
            if i:
                text.append("\n")
            text.append_text(Text(d.render(), style="red" if d.is_error else "yellow"))
        body.update(text)

    # --- events --------------------------------------------------------------------------------

    @on(PlayPanel.Moved)
    def _moved(self) -> None:
        self.mark_current()

    @on(PlayPanel.Ended)
    def _ended(self, event: PlayPanel.Ended) -> None:
        from trainer.tui.screens.debrief import DebriefScreen

        self.app.push_screen(DebriefScreen(event.session))

    @on(OptionList.OptionSelected, "#nodes")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        scenario = self.loaded.scenario
        if scenario is None or event.option.id is None:
            return
        panel = self.query_one(PlayPanel)
        panel.replace_session(self._session(scenario, self.loaded.scorer, event.option.id))
        self.app.notify(f"Jumped to '{event.option.id}' with variables at their defaults.", timeout=3)

    def action_nodes(self) -> None:
        self.query_one("#nodes", OptionList).focus()

    def action_back_to_play(self) -> None:
        panels = self.query(PlayPanel)
        if panels:
            panels.first().focus_turn()

    def action_restart(self) -> None:
        if self.loaded.scenario is not None:
            self.show(self.loaded, keep_node=None)

    def action_reload(self) -> None:
        self._loading = file_stamp(self.path)
        self._load(forced=True)

    def _poll(self) -> None:
        stamp = file_stamp(self.path)
        if stamp != self.loaded.stamp and stamp != self._loading:
            self._loading = stamp
            self._load(forced=False)

    @work(thread=True, group="reload")
    def _load(self, forced: bool) -> None:
        self.post_message(self.Reloaded(load(self.path, self.scorer_choice), forced))

    @on(Reloaded)
    def _reloaded(self, event: Reloaded) -> None:
        if event.loaded.stamp != file_stamp(self.path) and not event.forced:
            return  # saved again while reading: the next poll reads the newer file
        self._loading = None
        panels = self.query(PlayPanel)
        keep = panels.first().session.state.node if panels else None
        self.show(event.loaded, keep_node=keep)
        errors = sum(1 for d in event.loaded.diagnostics if d.is_error)
        if event.loaded.scenario is None:
            self.app.notify(f"Reloaded {self.path.name}: {errors} error{'s' * (errors != 1)}.", severity="warning")
        else:
            self.app.notify(f"Reloaded {self.path.name}." + (" Back at the node you were on." if keep else ""),
                            timeout=3)


class PreviewApp(BaseApp):
    TITLE = "Peer Trainer preview"

    def __init__(self, path: Path, loaded: Loaded, mode: str = "practice", scorer: Any = "auto",
                 theme: str | None = None):
        super().__init__()
        self.path = path
        self.loaded = loaded
        self.mode = mode
        self.scorer_choice = scorer
        self.trainee = None
        self.records = Records(None, PREVIEW)
        self.theme = theme or "textual-dark"

    def on_mount(self) -> None:
        self.push_screen(PreviewScreen(self.path, self.loaded, self.mode, self.scorer_choice))

    # the debrief's buttons lead back here, not to a catalog
    def open_progress(self) -> None:
        self.notify("Progress is not kept in a preview.")

    def open_prebrief_for(self, scenario_id: str) -> None:
        screen = self.screen
        if isinstance(screen, PreviewScreen):
            screen.action_restart()


def make_preview_app(path: str | Path, *, mode: str = "practice", scorer: Any = "auto",
                     theme: str | None = None) -> PreviewApp:
    path = Path(path)
    return PreviewApp(path, load(path, scorer), mode, scorer, theme)
