"""SVG snapshots of every screen at 80x24, the size a trainee's borrowed laptop terminal opens at.

Plain sync functions (pytest-textual-snapshot drives the app itself). Data comes from the
fixture scenarios and a store on a ticking clock, so every run draws the same screen.
Update with `python3 -m pytest tests/test_tui_snapshots.py --snapshot-update` and look at
the SVGs before committing them.
"""

from __future__ import annotations

from textual.widgets import Input, OptionList, TextArea

from test_tui_support import CREDIT_WORD, FLAG_WORDS, LETTER_YAML, build_app, open_records

SIZE = (80, 24)


def calm(app) -> None:
    """No blinking cursors or leftover toasts in a picture."""
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    app.clear_notifications()


async def start(pilot, scenario_id: str, mode_key: str = "p") -> None:
    app = pilot.app
    options = app.screen.query_one("#scenarios", OptionList)
    options.highlighted = options.get_option_index(scenario_id)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(mode_key)
    await pilot.pause()


def app_with_trainee(tmp_path, **kwargs):
    records = open_records(tmp_path / "data")
    trainee = records.add_trainee("Alex Rivera", "PA-1234")
    return build_app(tmp_path, records=records, trainee=trainee, **kwargs)


def test_sign_in(snap_compare, tmp_path):
    records = open_records(tmp_path / "data")
    records.add_trainee("Alex Rivera", "PA-1234")
    records.add_trainee("Sam [b]Lee[/b]")
    app = build_app(tmp_path, records=records)

    async def run_before(pilot):
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_catalog_with_progress(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-loan", "a")
        await pilot.press("1", "enter")  # passed
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await start(pilot, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("escape", "escape")  # out of the box, then leave
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_prebrief(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await pilot.press("enter")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_practice_choice_turn(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-letter")
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_practice_coach_highlights_the_words(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        pilot.app.screen.query_one("#response", TextArea).text = (
            f"We could call {CREDIT_WORD}. Or {FLAG_WORDS} the pills?")
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_practice_typing_turn(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        pilot.app.screen.query_one("#response", TextArea).text = "It sounds like Friday feels close.\nWhat"
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_assessment_turn(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-loan", "a")
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_debrief(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        pilot.app.screen.query_one("#response", TextArea).text = f"Let's plan it {CREDIT_WORD}."
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_progress(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        for key in ("1", "2", "1"):
            await start(pilot, "fixture-loan", "a")
            await pilot.press(key, "enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_help(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await pilot.press("f1")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_light_theme_practice(snap_compare, tmp_path):
    app = app_with_trainee(tmp_path, theme="textual-light")

    async def run_before(pilot):
        await start(pilot, "fixture-letter")
        await pilot.press("1")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_preview_with_a_diagnostic(snap_compare, tmp_path, monkeypatch):
    from test_tui_support import FakeScorer
    from trainer.tui.preview import make_preview_app

    # an unreachable node: a warning, so the scenario still plays
    text = LETTER_YAML + "  orphan:\n    ending: adequate\n    debrief: Never reached.\n"
    (tmp_path / "letter.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = make_preview_app("letter.yaml", scorer=FakeScorer())

    async def run_before(pilot):
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)



def test_catalog_records_waiting_to_send(snap_compare, tmp_path, monkeypatch):
    """The records line when the program's LRS cannot be reached (nothing listens on the port)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "data"
    data.mkdir()
    (data / "lrs.yaml").write_text(f"endpoint: http://127.0.0.1:{port}/xAPI/\nauto_push: true\nmax_tries: 1\n",
                                   encoding="utf-8")
    monkeypatch.setenv("PEER_TRAINER_LRS_USER", "site-harrisburg")
    monkeypatch.setenv("PEER_TRAINER_LRS_PASSWORD", "not shown anywhere")
    app = app_with_trainee(tmp_path)

    async def run_before(pilot):
        await start(pilot, "fixture-loan", "a")
        await pilot.press("1", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        calm(pilot.app)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)
