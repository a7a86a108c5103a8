"""Behaviour tests for the trainee's app: every screen and flow, driven through the pilot.

Each test builds the app on fixture scenarios with a real records store in its own tmp
data folder, presses keys as a trainee would, and asserts on domain state (the store, the
engine state) as well as on what is shown.
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, OptionList, Static

from test_tui_support import (
    CREDIT_WORD, FLAG_WORDS, LETTER_YAML, LOAN_YAML, BrokenScorer, FakeScorer, async_test, build_app,
    fixture_library, open_records, wait_idle,
)

SIZE = (80, 24)


def plain(renderable) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def shown(widget: Static) -> str:
    return plain(widget.content)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_scenario(pilot, app, scenario_id: str, mode_key: str = "p"):
    """From the catalog: highlight a scenario, open its prebrief, start in a mode."""
    options = app.screen.query_one("#scenarios", OptionList)
    options.highlighted = options.get_option_index(scenario_id)
    await pilot.press("enter")
    await pilot.pause()
    assert screen_name(app) == "PrebriefScreen"
    await pilot.press(mode_key)
    await pilot.pause()
    assert screen_name(app) == "PlayScreen"
    return app.screen.session


# --- sign-in ------------------------------------------------------------------------------------


@async_test
async def test_new_trainee_is_created_and_signed_in(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert screen_name(app) == "SignInScreen"
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "  Alex   Rivera "
        app.screen.query_one("#program-id", Input).value = "PA-1234"
        await pilot.press("enter")  # name -> program id
        await pilot.press("enter")  # create
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        assert app.trainee.name == "Alex Rivera"
        stored = app.records.trainees()
        assert [(t.name, t.program_id) for t in stored] == [("Alex Rivera", "PA-1234")]


@async_test
async def test_new_trainee_needs_a_name(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#program-id", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "NewTraineeDialog"
        assert "type a name" in shown(app.screen.query_one("#problem", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "SignInScreen"
        assert app.records.trainees() == []


@async_test
async def test_several_trainees_share_the_machine(tmp_path):
    records = open_records(tmp_path / "data")
    records.add_trainee("Alex Rivera", "PA-1")
    sam = records.add_trainee("Sam Lee")
    app = build_app(tmp_path, records=records)
    async with app.run_test(size=SIZE) as pilot:
        options = app.screen.query_one("#trainees", OptionList)
        assert options.option_count == 3  # two trainees and "someone new"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.trainee == sam
        assert screen_name(app) == "CatalogScreen"
        await pilot.press("s")  # switch trainee
        await pilot.pause()
        assert screen_name(app) == "SignInScreen"
        assert app.trainee is None


# --- catalog ------------------------------------------------------------------------------------


@async_test
async def test_catalog_groups_by_theme_and_shows_status(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#scenarios", OptionList)
        labels = [plain(options.get_option_at_index(i).prompt).strip() for i in range(options.option_count)]
        assert labels[0] == "System navigation"
        assert labels[1].startswith("○ Dana's [bold]letter[/bold]")  # ○ is "new" in the list's legend
        assert "○ new" in str(app.screen.query_one("#scenarios").border_subtitle)
        assert labels[2] == "Scope of practice and boundaries"
        assert "Can I borrow twenty?" in labels[3]
        assert options.get_option_at_index(0).disabled  # theme headers cannot be chosen


@async_test
async def test_catalog_search_and_filter(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("slash")
        assert app.focused is screen.query_one("#search", Input)
        screen.query_one("#search", Input).value = "borrow"
        await pilot.pause()
        options = screen.query_one("#scenarios", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == [None, "fixture-loan"]
        screen.query_one("#search", Input).value = "nothing like this"
        await pilot.pause()
        assert "Nothing matches" in plain(options.get_option_at_index(0).prompt)
        await pilot.press("escape")  # clears the search and returns to the list
        await pilot.pause()
        assert screen.query_one("#search", Input).value == ""
        await pilot.press("f")  # all -> new
        await pilot.pause()
        assert screen.status_filter == "new"
        assert options.option_count == 4
        await pilot.press("f")  # new -> in progress: nothing yet
        await pilot.pause()
        assert screen.status_filter == "in progress"
        assert options.get_option_at_index(0).disabled and options.option_count == 1


@async_test
async def test_catalog_shows_completed_best_score_and_hours_after_a_finish(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-loan", "a")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("enter")  # to the debrief
        await pilot.pause()
        assert screen_name(app) == "DebriefScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        entry = app.screen.entry("fixture-loan")
        assert entry.status == "passed"
        assert entry.best == pytest.approx(1.0)
        options = app.screen.query_one("#scenarios", OptionList)
        row = plain(options.get_option_at_index(options.get_option_index("fixture-loan")).prompt)
        assert row.startswith("✔") and "100%" in row


@async_test
async def test_catalog_hours_are_the_policy_rounded_hours_progress_shows(tmp_path):
    import datetime as dt

    from test_tui_support import TickClock

    # every store action is 4 minutes after the last (engaged, under the 5-minute idle limit), so each
    # attempt reaches its cap of 1.5 x the scenario's minutes: 7.5 min for the loan, 15 for the letter
    app = build_app(tmp_path, with_trainee=True, clock=TickClock(step=dt.timedelta(minutes=4)))
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-loan", "a")
        await pilot.press("1", "enter", "escape")
        await pilot.pause()
        await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = f"Let's plan it {CREDIT_WORD}."
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        minutes = {a.scenario_id: a.credited_minutes for a in app.records.attempts(app.trainee.id)}
        assert minutes == {"fixture-loan": 7.5, "fixture-letter": 15.0}
        # the default policy rounds down to quarter hours: 7.5 min is 0 h, 15 min is 0.25 h
        assert app.screen.entry("fixture-loan").hours == 0.0
        assert app.screen.entry("fixture-letter").hours == 0.25
        options = app.screen.query_one("#scenarios", OptionList)
        rows = {i: plain(options.get_option_at_index(options.get_option_index(i)).prompt) for i in minutes}
        assert rows["fixture-letter"].rstrip().endswith("0.25h")
        assert not rows["fixture-loan"].rstrip().endswith("h")
        await pilot.press("p")
        await pilot.pause()
        hours = shown(app.screen.query_one("#hours", Static))
        assert "0.25 h of 20 h" in hours  # 22.5 min in all: rounded over the total, the same 0.25 h


# --- prebrief -----------------------------------------------------------------------------------


@async_test
async def test_prebrief_explains_both_modes_and_goes_back(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "PrebriefScreen"
        body = shown(app.screen.query_one("#prebrief-body", Static))
        for words in ("Your role", "Dana is 52", "Read the letter together.", "Content notes"):
            assert words in body
        modes = " ".join(shown(w) for w in app.screen.query(".mode-text"))
        assert "coach comments after every turn" in modes
        assert "no feedback, hints or undo until the end" in modes
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"


# --- play: practice ------------------------------------------------------------------------------


@async_test
async def test_practice_choice_gives_feedback_and_saves_every_turn(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        assert session.practice
        saved = app.records.unfinished(app.trainee.id)
        assert len(saved) == 1 and saved[0].state["node"] == "opening"  # saved before the first move
        await pilot.press("1")
        await pilot.pause()
        assert session.state.node == "talk"
        coach = shown(app.screen.query_one("#coach-body", Static))
        assert "Strong move" in coach and "Doing it with her, not for her." in coach
        saved = app.records.unfinished(app.trainee.id)
        assert saved[0].state["node"] == "talk" and saved[0].state["turns"] == 1


@async_test
async def test_arrows_and_enter_choose_too(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert session.state.ending == "poor_end"
        assert "Worth another look" in shown(app.screen.query_one("#coach-body", Static))


@async_test
async def test_free_text_is_judged_and_the_words_highlighted(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        box = app.screen.query_one("#response")
        assert app.focused is box
        said = f"Let's plan the call {CREDIT_WORD}. Maybe {FLAG_WORDS} the pills? [red]x[/red]"
        box.text = said
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        assert session.state.finished and session.state.ending == "harmful_end"  # the critical flag routes
        body = app.screen.query_one("#coach-body", Static).content
        text = plain(body)
        assert "[red]x[/red]" in text  # trainee text is never markup
        assert "Outside the peer role" in text and "Medication decisions belong" in text
        # the highlight spans cover exactly the credited and the flagged words
        said_line = next(t for t in _texts(body) if t.plain.startswith("You said: "))
        offset = len("You said: ")
        styled = {said_line.plain[s.start:s.end]: str(s.style) for s in said_line.spans if s.start >= offset}
        assert "green" in styled[CREDIT_WORD] and "red" in styled[FLAG_WORDS]


def _texts(renderable):
    from rich.console import Group
    from rich.text import Text

    if isinstance(renderable, Text):
        yield renderable
    elif isinstance(renderable, Group):
        for r in renderable.renderables:
            yield from _texts(r)


@async_test
async def test_hint_is_logged_and_undo_takes_a_turn_back(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert session.state.hints_used == 1
        assert session.state.transcript[-1] == {"kind": "hint", "node": "opening", "text": "Offer to read it together."}
        assert "Offer to read it together." in shown(app.screen.query_one("#coach-body", Static))
        assert app.records.unfinished(app.trainee.id)[0].state["hints_used"] == 1
        await pilot.press("1")
        await pilot.pause()
        assert session.state.node == "talk"
        app.screen.query_one("#transcript").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session.state.node == "opening"
        assert session.state.hints_used == 1  # hints stay counted after an undo
        assert app.records.unfinished(app.trainee.id)[0].state["node"] == "opening"


@async_test
async def test_typed_response_without_a_scorer_says_so(tmp_path):
    app = build_app(tmp_path, with_trainee=True, scorer=None)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        assert "Scoring is not available" in shown(app.screen.query_one("#turn-prompt", Static))
        app.screen.query_one("#response").text = "Let's do it together."
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        assert session.state.node == "talk"
        assert any("scoring is not available" in n.message.lower() for n in app._notifications)
        assert app.screen.query_one("#response").text == "Let's do it together."


@async_test
async def test_a_failing_scorer_keeps_the_words(tmp_path):
    app = build_app(tmp_path, with_trainee=True, scorer=BrokenScorer())
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = "My careful words"
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        assert session.state.node == "talk"
        assert app.screen.query_one("#response").text == "My careful words"
        assert any("could not be judged" in n.message for n in app._notifications)


@async_test
async def test_empty_response_is_not_sent(tmp_path):
    scorer = FakeScorer()
    app = build_app(tmp_path, with_trainee=True, scorer=scorer)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = "   \n  "
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        assert scorer.calls == []


# --- play: assessment ---------------------------------------------------------------------------


@async_test
async def test_assessment_has_no_coach_hints_or_undo(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter", "a")
        assert not session.practice
        assert not app.screen.query("#coach")
        await pilot.press("ctrl+g")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#transcript").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session.state.hints_used == 0
        assert session.state.node == "talk"  # not undone


# --- leaving and resuming -------------------------------------------------------------------------


@async_test
async def test_leaving_and_a_new_process_resume_at_the_same_turn(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        transcript = list(session.state.transcript)
        trainee = app.trainee
        await pilot.press("escape")  # out of the text box
        await pilot.press("escape")  # leave
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        assert app.screen.entry("fixture-letter").status == "in progress"
    # a second process on the same data folder, as after a crash or a closed terminal
    again = build_app(tmp_path, records=open_records(tmp_path / "data"), trainee=trainee)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        banner = shown(again.screen.query_one("#resume-banner", Static))
        assert "in progress" in banner and "Dana's [bold]letter[/bold]" in banner
        await pilot.press("r")
        await pilot.pause()
        assert screen_name(again) == "PlayScreen"
        assert again.screen.session.state.node == "talk"
        assert again.screen.session.state.transcript == transcript


def saved_draft(tmp_path, trainee_id):
    """The unsent words the store holds for the trainee's attempt in progress, read by another connection."""
    from trainer.records.store import Store

    store = Store.open(tmp_path / "data")
    try:
        (attempt,) = store.unfinished(trainee_id)
        return (attempt.state_json.get("tui_draft") or {}).get("text")
    finally:
        store.close()


@async_test
async def test_unsent_words_survive_leaving_and_come_back_on_resume(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = "half a thought, [b]not markup[/b]"
        app.screen.query_one("#transcript").focus()
        await pilot.press("escape")  # leave: nothing to confirm, the words are kept
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        assert any("words you typed are saved" in n.message for n in app._notifications)
        assert saved_draft(tmp_path, app.trainee.id) == "half a thought, [b]not markup[/b]"
        await pilot.press("r")
        await pilot.pause()
        assert screen_name(app) == "PlayScreen"
        box = app.screen.query_one("#response")
        assert box.text == "half a thought, [b]not markup[/b]" and box.has_focus
        box.text = f"Let's call {CREDIT_WORD}."
        await pilot.press("ctrl+s")  # sent: the draft goes with it
        await wait_idle(pilot, app)
        assert app.screen.session.state.finished and app.screen.session.draft == ""
        state = app.records.store.attempts(app.trainee.id)[0]
        assert state.status == "finished"
        row = app.records.store._read("SELECT state_json FROM attempts WHERE id = ?", (state.id,))[0][0]
        assert "tui_draft" not in row and "half a thought" not in row


@async_test
async def test_unsent_words_are_saved_while_typing_so_a_killed_process_keeps_them(tmp_path, monkeypatch):
    from trainer.tui.widgets import play

    monkeypatch.setattr(play, "DRAFT_SAVE_DELAY", 0.05)
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*"I hear")
        await pilot.pause(0.2)
        trainee = app.trainee
        # the process is "killed" here: nothing below runs in this app
        assert saved_draft(tmp_path, trainee.id) == "I hear"
        assert session.state.node == "talk"
        again = build_app(tmp_path, records=open_records(tmp_path / "data"), trainee=trainee)
        async with again.run_test(size=SIZE) as pilot2:
            await pilot2.press("r")
            await pilot2.pause()
            assert screen_name(again) == "PlayScreen"
            assert again.screen.query_one("#response").text == "I hear"


@async_test
async def test_a_draft_from_another_turn_is_not_restored(tmp_path):
    from trainer.tui.records import Draft

    records = open_records(tmp_path / "data")
    trainee = records.add_trainee("Alex Rivera")
    app = build_app(tmp_path, records=records, trainee=trainee)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        records.save_progress(session.attempt_id, session.state, Draft("opening", 0, "stale words"))
    again = build_app(tmp_path, records=open_records(tmp_path / "data"), trainee=trainee)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert again.screen.query_one("#response").text == ""


@async_test
async def test_leaving_unsaved_words_asks_first_when_nothing_is_saved(tmp_path):
    from trainer.tui.records import Records

    records = Records(None, "the store is locked")
    app = build_app(tmp_path, records=records, trainee=records.add_trainee("Guest"))
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = "half a thought"
        app.screen.query_one("#transcript").focus()
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "ConfirmDialog"
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert screen_name(app) == "PlayScreen"
        assert app.screen.query_one("#response").text == "half a thought"


@async_test
async def test_a_changed_scenario_is_explained_and_can_start_again(tmp_path):
    records = open_records(tmp_path / "data")
    trainee = records.add_trainee("Alex Rivera")
    app = build_app(tmp_path, records=records, trainee=trainee)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        old_id = app.screen.session.attempt_id
    changed = fixture_library(LETTER_YAML.replace("Want to read it together?", "Shall we read it together?"), LOAN_YAML)
    again = build_app(tmp_path, library=changed, records=open_records(tmp_path / "data"), trainee=trainee)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert screen_name(again) == "ConfirmDialog"
        assert "was updated after you saved your place" in shown(again.screen.query("Static")[1])
        await pilot.press("enter")  # start again
        await pilot.pause()
        assert screen_name(again) == "PlayScreen"
        assert again.screen.session.state.node == "opening"
        statuses = {a.id: a.status for a in again.records.attempts(trainee.id)}
        assert statuses[old_id] == "abandoned"


@async_test
async def test_starting_over_sets_the_saved_attempt_aside_after_asking(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        first = await open_scenario(pilot, app, "fixture-loan")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # prebrief offers resume
        await pilot.pause()
        assert "in progress" in shown(app.screen.query_one("#resume-note", Static))
        await pilot.press("p")  # a fresh practice attempt
        await pilot.pause()
        assert screen_name(app) == "ConfirmDialog"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "PlayScreen"
        assert app.screen.session.attempt_id != first.attempt_id
        statuses = {a.id: a.status for a in app.records.attempts(app.trainee.id)}
        assert statuses[first.attempt_id] == "abandoned"


# --- debrief -------------------------------------------------------------------------------------


@async_test
async def test_debrief_shows_everything_and_stores_the_reflection(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#response").text = f"Let's call {CREDIT_WORD}. Maybe {FLAG_WORDS} them."
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "DebriefScreen"
        screen = app.screen
        outcome = shown(screen.query_one("#outcome", Static))
        assert "A step outside the peer role" in outcome and "That stepped outside the peer role." in outcome
        assert "Credited" in outcome and "min of peer specific time" in outcome
        competencies = shown(screen.query_one("#competencies", Static))
        assert "Links to resources" in competencies and "Engages peers" in competencies
        flags = shown(screen.query_one("#flags", Static))
        assert "CRITICAL" in flags and f"“{FLAG_WORDS}”" in flags and "Medication decisions belong" in flags
        turns = shown(screen.query_one("#turns", Static))
        assert " strong " in turns and " weak " in turns and "Doing it with her" in turns
        models = shown(screen.query_one("#models", Static))
        assert "then we can call together" in models
        await pilot.press("w")
        assert app.focused is screen.query_one("#reflection")
        screen.query_one("#reflection").text = "I jumped to advice. Next time: ask first."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Saved" in shown(screen.query_one("#reflection-status", Static))
        store = app.records.store
        assert store.reflection(session.attempt_id) == "I jumped to advice. Next time: ask first."
        finished = [a for a in app.records.attempts(app.trainee.id) if a.finished]
        assert [a.outcome for a in finished] == ["harmful"]


@async_test
async def test_assessment_debrief_says_passed_or_not(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-loan", "a")
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        outcome = shown(app.screen.query_one("#outcome", Static))
        assert "NOT PASSED THIS TIME" in outcome and "pass mark 60%" in outcome


@async_test
async def test_debrief_asks_before_dropping_an_unsaved_reflection(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-loan")
        await pilot.press("1", "enter")
        await pilot.pause()
        app.screen.query_one("#reflection").text = "A note"
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "ConfirmDialog"
        await pilot.press("enter")  # save and leave
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        assert app.records.store.reflection(session.attempt_id) == "A note"


@async_test
async def test_try_again_from_the_debrief_opens_the_prebrief(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot, app, "fixture-loan")
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert screen_name(app) == "PrebriefScreen"
        assert app.screen.entry.id == "fixture-loan"


# --- progress ------------------------------------------------------------------------------------


@async_test
async def test_progress_shows_hours_chart_and_history(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("1", "2", "1"):
            await open_scenario(pilot, app, "fixture-loan", "a")
            await pilot.press(key, "enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert screen_name(app) == "ProgressScreen"
        hours = shown(app.screen.query_one("#hours", Static))
        assert "Total" in hours and "of 20 h" in hours and "to go" in hours
        assert "certification board decides" in shown(app.screen.query_one("#about-hours", Static))
        chart = shown(app.screen.query_one("#chart", Static))
        assert "█▁█" in chart  # 100%, 0%, 100%
        table = app.screen.query_one("#history", DataTable)
        assert table.row_count == 3
        results = [plain(table.get_row_at(i)[3]).strip() for i in range(3)]
        assert sorted(results) == ["not passed", "passed", "passed"]
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"


# --- help, themes, quality --------------------------------------------------------------------------


@async_test
async def test_help_lists_keys_and_closes(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"
        text = plain(app.screen.query_one("#help Static", Static).content)
        for key in ("ctrl+s", "1-9", "ctrl+g", "ctrl+r", "ctrl+t"):
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen_name(app) == "HelpScreen"


@async_test
async def test_theme_toggles_and_is_remembered(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
    settings = json.loads((tmp_path / "data" / "tui-settings.json").read_text())
    assert settings == {"theme": "textual-light"}
    again = build_app(tmp_path, records=open_records(tmp_path / "data"), theme=None)
    assert again.theme == "textual-light"


@async_test
async def test_scenario_and_trainee_text_is_never_markup(tmp_path):
    records = open_records(tmp_path / "data")
    trainee = records.add_trainee("[bold]Alex[/bold] \x1b[2J")
    app = build_app(tmp_path, records=records, trainee=trainee)
    async with app.run_test(size=SIZE) as pilot:
        details = shown(app.screen.query_one("#details-body", Static))
        assert "Dana's [bold]letter[/bold]" in details and "\\x1b[31mRed?\\x1b[0m" in details
        assert "\x1b" not in details
        await open_scenario(pilot, app, "fixture-letter")
        rows = [plain(w.content) for w in app.screen.query(".said")]
        assert any("[link=http://example.com]click[/link]" in r for r in rows)
        assert any("\\x1b[31mI can't do this.\\x1b[0m" in r for r in rows)
        assert not any("\x1b" in r for r in rows)


@async_test
async def test_a_broken_store_means_a_guest_session_with_a_message(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "peer-trainer.sqlite3").write_bytes(b"this is not a database" * 100)
    from trainer.tui.app import make_app

    app = make_app(fixture_library(), data_dir=data, scorer=FakeScorer())
    assert not app.records.saving
    async with app.run_test(size=SIZE) as pilot:
        banner = shown(app.screen.query_one("#records-problem", Static))
        assert "could not be opened" in banner and "nothing will be saved" in banner
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#name", Input).value = "Guest"
        await pilot.press("enter", "enter")
        await pilot.pause()
        session = await open_scenario(pilot, app, "fixture-loan")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert session.state.finished
        assert "Records are unavailable" in shown(app.screen.query_one("#outcome", Static))


@async_test
async def test_a_store_failing_mid_play_is_a_message_not_a_crash(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        session = await open_scenario(pilot, app, "fixture-letter")
        app.records.store.close()  # the store goes away under the app
        await pilot.press("1")
        await pilot.pause()
        assert session.state.node == "talk"  # play goes on
        assert any(n.title == "Records" and "Could not save your progress" in n.message for n in app._notifications)


@async_test
async def test_broken_scenario_files_are_listed_not_fatal(tmp_path):
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    (lib_dir / "good.yaml").write_text(LOAN_YAML, encoding="utf-8")
    (lib_dir / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    from trainer.tui.app import make_app

    app = make_app([lib_dir], data_dir=tmp_path / "data", scorer=FakeScorer())
    trainee = app.records.add_trainee("Alex")
    app.trainee = trainee
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot, app)  # the library loads in a worker while the first screen shows
        assert list(app.library.scenarios) == ["fixture-loan"]
        problems = shown(app.screen.query_one("#library-problems", Static))
        assert "1 scenario file could not be loaded" in problems
        await pilot.press("d")
        await pilot.pause()
        assert screen_name(app) == "MessageDialog"
        assert "broken.yaml" in plain(app.screen.query("Static")[1].content)


@async_test
async def test_an_empty_library_is_explained(tmp_path):
    from trainer.library import Library

    app = build_app(tmp_path, library=Library(), with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#scenarios", OptionList)
        assert "No scenarios were found" in plain(options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # nothing to open; nothing breaks
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"


def test_headless_commands_never_import_textual():
    import subprocess
    import sys

    code = ("import sys, trainer.cli as c; c.build_parser(); import trainer.cli.app, trainer.cli.preview; "
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
