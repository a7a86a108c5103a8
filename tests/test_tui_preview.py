"""The instructor's preview: plays a file, jumps to nodes, shows diagnostics, reloads on save."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from test_tui_support import LETTER_YAML, FakeScorer, async_test, wait_idle
from test_tui_app import plain, screen_name
from trainer.tui.preview import make_preview_app
from trainer.tui.widgets.play import PlayPanel

SIZE = (80, 24)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


async def reload_now(pilot, screen):
    """What the half-second poll does, without waiting for it."""
    screen._poll()
    await wait_idle(pilot, pilot.app)


@async_test
async def test_preview_plays_and_jumps_to_a_node(tmp_path):
    path = write(tmp_path / "letter.yaml", LETTER_YAML)
    app = make_preview_app(path, scorer=FakeScorer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen_name(app) == "PreviewScreen"
        nodes = screen.query_one("#nodes", OptionList)
        ids = [nodes.get_option_at_index(i).id for i in range(nodes.option_count)]
        assert ids == ["opening", "talk", "good_end", "ok_end", "poor_end", "harmful_end"]
        assert "No problems found" in plain(screen.query_one("#diagnostics-body", Static).content)
        await pilot.press("ctrl+n")
        assert app.focused is nodes
        nodes.highlighted = ids.index("talk")
        await pilot.press("enter")
        await pilot.pause()
        panel = screen.query_one(PlayPanel)
        assert panel.session.state.node == "talk"
        assert panel.session.turn().kind == "respond"
        assert app.focused is screen.query_one("#response")
        screen.query_one("#response").text = "We could call together."
        await pilot.press("ctrl+s")
        await wait_idle(pilot, app)
        assert panel.session.state.ending == "good_end"
        await pilot.press("enter")
        await pilot.pause()
        assert screen_name(app) == "DebriefScreen"
        assert "preview: nothing is recorded" in plain(app.screen.query_one("#outcome", Static).content)


@async_test
async def test_preview_reloads_on_save_and_keeps_the_node(tmp_path):
    path = write(tmp_path / "letter.yaml", LETTER_YAML)
    app = make_preview_app(path, scorer=FakeScorer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("1")
        await pilot.pause()
        assert screen.query_one(PlayPanel).session.state.node == "talk"
        write(path, LETTER_YAML.replace("What do I say when I call them?", "What should I say on the phone?"))
        await reload_now(pilot, screen)
        panel = screen.query_one(PlayPanel)
        assert panel.session.state.node == "talk"
        said = [e["text"] for e in panel.session.state.transcript if e["kind"] == "line"]
        assert said == ["OK. What should I say on the phone?"]


@async_test
async def test_preview_shows_errors_then_recovers(tmp_path):
    path = write(tmp_path / "letter.yaml", LETTER_YAML)
    app = make_preview_app(path, scorer=FakeScorer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        write(path, LETTER_YAML.replace("goto: poor_end", "goto: poor_endd"))
        await reload_now(pilot, screen)
        assert not screen.query(PlayPanel)
        assert screen.has_class("-broken")
        diagnostics = plain(screen.query_one("#diagnostics-body", Static).content)
        assert "error[PT201]" in diagnostics and "did you mean 'poor_end'?" in diagnostics
        assert "1 error" in str(screen.query_one("#diagnostics").border_title)
        write(path, LETTER_YAML)
        await reload_now(pilot, screen)
        assert not screen.has_class("-broken")
        assert screen.query_one(PlayPanel).session.state.node == "opening"


@async_test
async def test_preview_of_a_file_that_does_not_parse(tmp_path):
    path = write(tmp_path / "bad.yaml", "id: [unclosed\n")
    app = make_preview_app(path, scorer=FakeScorer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-broken")
        assert "PT004" in plain(app.screen.query_one("#diagnostics-body", Static).content)


def test_preview_command_is_registered():
    from trainer.cli import build_parser

    args = build_parser().parse_args(["preview", "some.yaml", "--mode", "assessment"])
    assert args.scenario == "some.yaml" and args.mode == "assessment"


def test_preview_command_reports_a_missing_file(capsys, tmp_path):
    from trainer.cli import main

    assert main(["preview", str(tmp_path / "missing.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err
