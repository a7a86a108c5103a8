"""The app and its factory: `make_app` is what the CLI, the tests and the benchmark call.

The app holds the shared services (library, scorer, records, the signed-in trainee) and
moves between screens; the screens hold their own state. It also owns `sending`, whether
the records have reached the program's LRS: a thread worker pushes when an attempt finishes
and posts what it found; the handlers here change the state and `RecordsStatus` shows it.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from textual import work
from textual.reactive import reactive
from textual.worker import get_current_worker

from trainer.engine.state import StaleState, StateError
from trainer.library import Library, load_library, make_scorer
from trainer.diagnostics import file_error
from trainer.tui.base import DARK, LIGHT, BaseApp
from trainer.tui.messages import LibraryLoaded, RecordsChecked, RecordsSending, StartChoice
from trainer.tui.overview import CatalogEntry, entry_for
from trainer.tui.records import Records, SavedAttempt, TraineeInfo
from trainer.tui.sending import SendingStatus, check_and_send, wait_unless
from trainer.tui.session import PlaySession

SETTINGS_FILE = "tui-settings.json"


class PeerTrainerApp(BaseApp):
    TITLE = "Peer Trainer"

    sending: reactive[SendingStatus] = reactive(SendingStatus)

    def __init__(self, library: Library | None, scorer: Any, records: Records, *, data_dir: Path | None = None,
                 trainee: TraineeInfo | None = None, theme: str | None = None,
                 library_paths: Sequence[str | Path] | None = None):
        super().__init__()
        # With no Library given, scenarios load in a worker while the trainee signs in.
        self.library: Library | None = library
        self.library_paths = library_paths
        self.scorer = scorer
        self.records = records
        self.data_dir = data_dir
        self.trainee: TraineeInfo | None = trainee
        self.records.on_problem = self._records_problem
        self.records.on_finished = self._attempt_recorded
        self.theme = theme or self._saved_theme() or DARK
        self._records_stop = threading.Event()
        self._records_busy = False
        self._records_again: tuple[bool | None] | None = None  # a check asked for while one runs

    # --- start-up -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from trainer.tui.screens.catalog import CatalogScreen
        from trainer.tui.screens.signin import SignInScreen

        self.push_screen(SignInScreen())
        if self.trainee is not None:
            self.push_screen(CatalogScreen())
        if self.library is None:
            self._load_library(self.scorer)
        self.check_records(push=None)  # send what an earlier session could not

    @work(thread=True, exclusive=True, group="library")
    def _load_library(self, scorer: Any) -> None:
        try:
            library = load_library(list(self.library_paths) if self.library_paths else None)
        except Exception as exc:  # noqa: BLE001 - an unreadable library is a message in the catalog
            library = Library()
            library.diagnostics.append(file_error("PT001", str(self.library_paths or "library"),
                                                  f"the scenario library could not be loaded: {exc}"))
        if scorer == "auto":
            try:
                scorer = make_scorer(library.rubrics)
            except Exception:  # noqa: BLE001 - a broken rubric set means no scoring, not no app
                scorer = None
        if scorer is not None and hasattr(scorer, "warm_up"):
            scorer.warm_up()  # load the reader and the example bank here, not at the trainee's first typed turn
        self.post_message(LibraryLoaded(library, scorer))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        from trainer.tui.screens.catalog import CatalogScreen

        self.library = message.library
        self.scorer = message.scorer
        for screen in self.screen_stack:
            if isinstance(screen, CatalogScreen):
                screen.reload()

    def _records_problem(self, message: str) -> None:
        self.notify(message, title="Records", severity="error", timeout=8)

    # --- sending records to the program's LRS (docs/lrs.md) ----------------------------------------

    def _attempt_recorded(self, attempt_id: Any) -> None:
        self.check_records(push=True)

    def check_records(self, *, push: bool | None) -> None:
        """Count what waits for the LRS and send it (push: always, never, None: if anything waits).

        One worker at a time; a request made while it runs is run after it. Nothing happens
        without a store or an `lrs.yaml` with `auto_push: true`.
        """
        if not self.records.saving or self.data_dir is None:
            return
        if self._records_busy:
            earlier = self._records_again[0] if self._records_again else False
            self._records_again = (_stronger(earlier, push),)
            return
        self._records_busy = True
        self._check_records(self.records.store, self.data_dir, push, self.trainee.id if self.trainee else None)

    @work(thread=True, group="records", exit_on_error=False)
    def _check_records(self, store: Any, data_dir: Path, push: bool | None, trainee_id: str | None) -> None:
        worker = get_current_worker()

        def stopping() -> bool:  # the app is closing: stop after the request under way, do not wait for it
            if worker.is_cancelled:
                self._records_stop.set()
            return self._records_stop.is_set()

        def run() -> SendingStatus:
            return check_and_send(store, data_dir, push=push, trainee_id=trainee_id, cancel=self._records_stop,
                                  on_start=lambda: self.post_message(RecordsSending()),
                                  on_progress=lambda sent, total: self.post_message(RecordsSending(sent, total)))

        try:
            finished, status = wait_unless(run, stopping)
        except Exception as exc:  # noqa: BLE001 - a bug in sending is a line in the indicator, not a crash
            finished, status = True, SendingStatus(configured=True, waiting=None, problem=f"{type(exc).__name__}: {exc}")
        if finished and status is not None:
            self.post_message(RecordsChecked(status, pushed=bool(push)))

    def on_records_sending(self, message: RecordsSending) -> None:
        self.sending = replace(self.sending, configured=True, busy=True,
                               progress=(message.sent, message.total) if message.total else None)

    def on_records_checked(self, message: RecordsChecked) -> None:
        self._records_busy = False
        status = message.status
        self.sending = status
        if message.pushed and status.configured and status.problem and status.waiting != 0:
            self.notify(f"Your records could not be sent yet: {status.problem}. They are kept on this computer "
                        "and sent next time.", title="Records", severity="warning", timeout=8)
        if self._records_again is not None:
            (push,), self._records_again = self._records_again, None
            self.check_records(push=push)

    # --- navigation ------------------------------------------------------------------------------

    def sign_in(self, trainee: TraineeInfo) -> None:
        from trainer.tui.screens.catalog import CatalogScreen

        self.trainee = trainee
        self.push_screen(CatalogScreen())
        self.check_records(push=False)  # the indicator counts this trainee's records

    def sign_out(self) -> None:
        from trainer.tui.screens.signin import SignInScreen

        self.trainee = None
        while len(self.screen_stack) > 1 and not isinstance(self.screen, SignInScreen):
            self.pop_screen()
        if isinstance(self.screen, SignInScreen):
            self.screen.reload()

    def catalog_entry(self, scenario_id: str) -> CatalogEntry | None:
        scenario = self.library.scenarios.get(scenario_id) if self.library else None
        if scenario is None or self.trainee is None:
            return None
        attempts = self.records.attempts(self.trainee.id, scenario_id)
        saved = self.records.unfinished(self.trainee.id)
        credited = self.records.hours(self.trainee.id).by_scenario.get(scenario_id, 0.0)
        return entry_for(scenario, attempts, saved, credited)

    def open_prebrief(self, entry: CatalogEntry) -> None:
        from trainer.tui.screens.prebrief import PrebriefScreen

        self.push_screen(PrebriefScreen(entry), self._prebrief_done)

    def open_prebrief_for(self, scenario_id: str) -> None:
        entry = self.catalog_entry(scenario_id)
        if entry is not None:
            self.open_prebrief(entry)

    def _prebrief_done(self, choice: StartChoice | None) -> None:
        if choice is None:
            return
        if choice.resume is not None:
            self.resume(choice.resume)
            return
        entry = self.catalog_entry(choice.scenario_id)
        if entry is not None and entry.saved is not None:
            from trainer.tui.screens.dialogs import ConfirmDialog

            def decided(fresh: bool | None) -> None:
                if fresh:
                    self.records.abandon(entry.saved.id)
                    self.start(choice)

            self.push_screen(ConfirmDialog(
                "Start over?",
                f"You have this conversation in progress ({entry.saved.mode}). Starting again sets that attempt aside.",
                yes="Start over", no="Keep it"), decided)
            return
        self.start(choice)

    def start(self, choice: StartChoice) -> None:
        from trainer.tui.screens.play import PlayScreen

        scenario = self.library.scenarios[choice.scenario_id]
        trainee_id = self.trainee.id if self.trainee else "guest"
        session = PlaySession.start(scenario, self.scorer, self.records, trainee_id, choice.mode,
                                    self.library.flag_severity)
        self.push_screen(PlayScreen(session))

    def resume(self, saved: SavedAttempt) -> None:
        from trainer.tui.screens.dialogs import ConfirmDialog, MessageDialog
        from trainer.tui.screens.play import PlayScreen

        if self.library is None:
            self.notify("The scenarios are still loading; try again in a moment.")
            return
        scenario = self.library.scenarios.get(saved.scenario_id)
        if scenario is None:
            self.push_screen(MessageDialog("This scenario is not in the library",
                                           f"The conversation you started ('{saved.scenario_id}') is no longer in "
                                           "this library, so it cannot be resumed."))
            return
        try:
            session = PlaySession.resume(scenario, self.scorer, self.records, saved, self.library.flag_severity)
        except StaleState:
            reason = (f"'{scenario.title}' was updated after you saved your place, so the conversation cannot "
                      "continue exactly where it was. Start it again from the beginning?")
        except StateError as exc:
            reason = f"Your saved place in '{scenario.title}' could not be read ({exc}). Start it again from the beginning?"
        else:
            self.push_screen(PlayScreen(session))
            return

        def decided(again: bool | None) -> None:
            if again:
                self.records.abandon(saved.id)
                self.start(StartChoice(scenario.id, saved.mode))

        self.push_screen(ConfirmDialog("This conversation has changed", reason, yes="Start again", no="Not now"),
                         decided)

    def show_debrief(self, session: PlaySession, replace: Any = None) -> None:
        from trainer.tui.screens.debrief import DebriefScreen

        screen = DebriefScreen(session)
        if replace is not None and self.screen is replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_progress(self) -> None:
        from trainer.tui.screens.progress import ProgressScreen

        self.push_screen(ProgressScreen())

    # --- app-wide actions ----------------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        super().action_toggle_theme()
        self._save_theme()

    def _settings_path(self) -> Path | None:
        return self.data_dir / SETTINGS_FILE if self.data_dir is not None else None

    def _saved_theme(self) -> str | None:
        path = self._settings_path()
        try:
            theme = json.loads(path.read_text("utf-8")).get("theme") if path else None
        except (OSError, ValueError, AttributeError):
            return None
        return theme if theme in (DARK, LIGHT) else None

    def _save_theme(self) -> None:
        path = self._settings_path()
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"theme": self.theme}, fh)
        except OSError:
            pass


def _stronger(a: bool | None, b: bool | None) -> bool | None:
    """Of two push requests, the one that does more: always (True), if anything waits (None), never."""
    return True if a is True or b is True else None if a is None or b is None else False


def make_app(
    library: Library | Sequence[str | Path] | None = None,
    *,
    data_dir: str | Path | None = None,
    scorer: Any = "auto",
    records: Records | None = None,
    trainee: TraineeInfo | None = None,
    theme: str | None = None,
) -> PeerTrainerApp:
    """Build the app: a Library or scenario paths (default: the bundled library), the data folder,
    and optionally a scorer and records to use instead of the real ones (tests, previews)."""
    from trainer.paths import data_dir as resolve_data_dir

    folder = resolve_data_dir(data_dir)
    if records is None:
        records = Records.open(folder)
    if isinstance(library, Library):
        if scorer == "auto":
            try:
                scorer = make_scorer(library.rubrics)
            except Exception:  # noqa: BLE001 - a broken rubric set means no scoring, not no app
                scorer = None
        return PeerTrainerApp(library, scorer, records, data_dir=folder, trainee=trainee, theme=theme)
    return PeerTrainerApp(None, scorer, records, data_dir=folder, trainee=trainee, theme=theme,
                          library_paths=list(library) if library else None)
