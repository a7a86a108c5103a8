"""End to end through a real terminal: tmux runs `peer-trainer`, send-keys types, capture-pane reads.

Plays the bundled "Why bother?" scenario from sign-in to its debrief, and checks that a
killed terminal resumes at the same turn with the words that were being typed. Skips where
tmux is missing or the bundled library cannot load that scenario.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "stigma-why-bother"
TITLE = "Why bother?"
WAIT = 20.0  # seconds to wait for a screen before failing (a cold start under load can be slow)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _bundled_scenario_loads() -> bool:
    from trainer.library import load_library

    return SCENARIO in load_library().scenarios


def tmux_new_session(name: str, command: str, attempts: int = 10) -> None:
    """Start a detached 80x24 session; retry while a tmux server that just lost its last session exits."""
    for _ in range(attempts):
        if subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"tmux could not start session {name}")


class Terminal:
    """One tmux session at 80x24 running the app."""

    def __init__(self, data_dir: Path, library: Path | None = None):
        self.name = f"pt-e2e-{uuid.uuid4().hex[:8]}"
        self.data_dir = data_dir
        self.library = library

    def start(self) -> None:
        env = f"PEER_TRAINER_HOME={shlex.quote(str(self.data_dir))} TERM=xterm-256color"
        library = f" --library {shlex.quote(str(self.library))}" if self.library else ""
        command = f"cd {shlex.quote(str(ROOT))} && {env} {shlex.quote(sys.executable)} -m trainer{library}"
        tmux_new_session(self.name, command)

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Send keys one at a time, letting the app settle after each, as a person types."""
        for key in keys:
            args = ["tmux", "send-keys", "-t", self.name] + (["-l"] if literal else []) + [key]
            subprocess.run(args, check=True)
            self.settle()

    def settle(self, timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        previous = None
        while time.monotonic() < deadline:
            time.sleep(0.1)
            screen = self.screen()
            if screen == previous:
                return
            previous = screen

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        out = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return out.stdout

    def wait_for(self, *needles: str, timeout: float = WAIT) -> str:
        """Poll until one of the needles shows and the screen has stopped changing; return it.

        A screen is drawn a moment before its focus lands, so keys sent the instant text
        appears can go astray; waiting for two identical captures avoids that.
        """
        deadline = time.monotonic() + timeout
        screen, previous = "", None
        while time.monotonic() < deadline:
            screen = self.screen()
            if any(n in screen for n in needles) and screen == previous:
                return screen
            previous = screen
            time.sleep(0.15)
        raise AssertionError(f"none of {needles!r} appeared; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal(tmp_path):
    if not _bundled_scenario_loads():
        pytest.skip(f"the bundled library does not load '{SCENARIO}'")
    term = Terminal(tmp_path / "data")
    yield term
    term.kill()


def sign_up(term: Terminal, name: str = "Robin Tmux") -> None:
    term.wait_for("Who is practising?")
    term.keys("n")
    term.wait_for("New trainee")
    term.type(name)
    term.keys("Enter", "Enter")
    term.wait_for("Search scenarios")


def highlighted_title(screen: str) -> str:
    """The first line of the catalog's About pane, which describes the highlighted row."""
    lines = screen.splitlines()
    for i, line in enumerate(lines[:-1]):
        start = line.find("╭─ About")
        if start >= 0:
            return lines[i + 1][start:].strip("│ ")
    raise AssertionError(f"no About pane on the screen:\n{screen}")


def open_why_bother(term: Terminal, mode_key: str = "p") -> None:
    """Search, then move down the filtered list until "Why bother?" itself is highlighted.

    Other scenarios may match the words too (and sort before it), so the highlighted row is
    checked, never assumed, before Enter opens it.
    """
    term.keys("/")
    term.type("why bother")
    term.wait_for("why bother")  # in the search box (the title is capitalised)
    term.keys("Enter")  # back to the list, filtered
    screen = term.wait_for(TITLE)
    seen = []
    while highlighted_title(screen) != TITLE:
        seen.append(highlighted_title(screen))
        if len(seen) > 30 or seen.count(seen[-1]) > 1:  # the end of the list, and no "Why bother?"
            raise AssertionError(f"'{TITLE}' could not be highlighted (saw {seen}):\n{screen}")
        term.keys("Down")
        screen = term.wait_for(TITLE)
    term.keys("Enter")
    screen = term.wait_for("Prebrief")
    assert TITLE in screen, screen
    term.keys(mode_key)
    term.wait_for("My case manager thinks")


def test_play_a_bundled_scenario_to_its_debrief(terminal):
    terminal.start()
    sign_up(terminal)
    open_why_bother(terminal)
    terminal.keys("1")  # reflect the discouragement
    screen = terminal.wait_for("^s Send")
    assert "Naming the feeling first" in screen  # the coach commented on the choice
    terminal.type("That must have hurt, hearing that from your cousin. What kind of work have you enjoyed?")
    terminal.keys("C-s")
    # the rest of the path depends on the scorer; choice 2 at each turn reaches an ending
    for _ in range(12):
        screen = terminal.wait_for("pick a reply", "The conversation has ended", "^s Send")
        if "The conversation has ended" in screen:
            break
        if "pick a reply" in screen:  # (the footer can still say "^s Send" for a moment after a typed turn)
            terminal.keys("2")
            continue
        if "Reading your response" in screen:
            time.sleep(0.5)
            continue
        pytest.fail(f"unexpected typed turn:\n{screen}")
    terminal.wait_for("The conversation has ended")
    terminal.keys("Enter")
    screen = terminal.wait_for("How it went")
    assert "Score by competency" in screen
    assert "Traceback" not in screen

    from trainer.records.store import Store

    store = Store.open(terminal.data_dir)
    (trainee,) = store.trainees()
    attempts = store.attempts(trainee.id)
    assert [(a.scenario_id, a.status) for a in attempts] == [(SCENARIO, "finished")]
    store.close()


def test_the_search_opens_why_bother_when_another_row_matches_first(terminal, tmp_path):
    from trainer.paths import bundled_scenarios

    library = tmp_path / "library"
    library.mkdir()
    original = (bundled_scenarios() / f"{SCENARIO}.yaml").read_text("utf-8")
    (library / f"{SCENARIO}.yaml").write_text(original, "utf-8")
    decoy = original.replace(f"id: {SCENARIO}", "id: stigma-another-why-bother", 1)
    decoy = decoy.replace(f"\ntitle: {TITLE}\n", "\ntitle: Another why bother day\n", 1)
    assert decoy.count("stigma-another-why-bother") == 1 and "Another why bother day" in decoy
    (library / "stigma-another-why-bother.yaml").write_text(decoy, "utf-8")  # sorts first, matches the search
    terminal.library = library
    terminal.start()
    sign_up(terminal)
    open_why_bother(terminal)
    screen = terminal.screen()
    assert f"{TITLE} · practice" in screen, screen


def test_a_killed_terminal_resumes_at_the_same_turn(terminal):
    terminal.start()
    sign_up(terminal)
    open_why_bother(terminal)
    terminal.keys("3")  # "What kind of jobs have you looked at?"
    terminal.wait_for("fresh out of the psych ward")
    terminal.kill()  # the terminal closes under the app: no clean exit
    terminal.start()
    terminal.wait_for("Robin Tmux")
    terminal.keys("Enter")
    screen = terminal.wait_for("conversation in progress")
    terminal.keys("r")
    screen = terminal.wait_for("fresh out of the psych ward")
    assert "What kind of jobs have you looked" in screen, screen
    assert "Maybe aim for something easier" in screen  # the same two choices are offered


def saved_draft(data_dir: Path) -> str | None:
    from trainer.records.store import Store

    store = Store.open(data_dir)
    try:
        (trainee,) = store.trainees()
        (attempt,) = store.unfinished(trainee.id)
        return (attempt.state_json.get("tui_draft") or {}).get("text")
    finally:
        store.close()


def test_words_being_typed_survive_a_killed_terminal(terminal):
    words = "That sounds really discouraging"
    terminal.start()
    sign_up(terminal)
    open_why_bother(terminal)
    terminal.keys("1")
    terminal.wait_for("^s Send")
    terminal.type(words)
    terminal.wait_for(words)
    deadline = time.monotonic() + WAIT
    while saved_draft(terminal.data_dir) != words:  # saved a moment after the last key, without leaving
        assert time.monotonic() < deadline, f"the draft was not saved: {saved_draft(terminal.data_dir)!r}"
        time.sleep(0.1)
    terminal.kill()
    terminal.start()
    terminal.wait_for("Robin Tmux")
    terminal.keys("Enter")
    terminal.wait_for("conversation in progress")
    terminal.keys("r")
    screen = terminal.wait_for("^s Send")
    assert words in screen, screen
