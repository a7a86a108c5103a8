"""The conversation so far: one row per transcript entry, speakers distinct, narration styled."""

from __future__ import annotations

from typing import Any, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from trainer.scenario.model import Scenario
from trainer.tui.text import safe

SPEAKER_CLASSES = 4  # speaker colours cycle through .speaker-0 .. .speaker-3
NAME_WIDTH = 9

OUTCOME_WORDS = {
    "exemplary": "The conversation ended well.",
    "adequate": "The conversation ended; some of it landed.",
    "poor": "The conversation ended without much connection.",
    "harmful": "The conversation ended on a step outside the peer role.",
}


class TranscriptRow(Horizontal):
    """A speaker's name and what they said (or narration, a hint, the ending)."""

    def __init__(self, who: str, body: Any, kind: str, speaker_class: str = ""):
        super().__init__(classes=f"row {kind} {speaker_class}".strip())
        self.who = who
        self.body = body
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield Label(safe(self.who[:NAME_WIDTH]), classes="who")
        yield Static(self.body, classes="said")


class Transcript(VerticalScroll):
    """Shows `State.transcript` entries; appends when the list only grew, redraws after an undo."""

    can_focus = True

    def __init__(self, scenario: Scenario, *, show_feedback: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.scenario = scenario
        self.show_feedback = show_feedback
        self._shown: list[dict] = []
        self._speakers = {cid: i % SPEAKER_CLASSES for i, cid in enumerate(scenario.characters)}

    def show(self, entries: Sequence[dict]) -> None:
        entries = list(entries)
        if entries[: len(self._shown)] == self._shown:
            new = entries[len(self._shown):]
        else:
            self.remove_children()
            new = entries
        rows = [row for entry in new for row in self.rows_for(entry)]
        self._shown = entries
        if rows:
            self.mount_all(rows)
        self.call_after_refresh(self.scroll_end, animate=False)

    def rows_for(self, entry: dict) -> list[TranscriptRow]:
        kind = entry.get("kind")
        if kind == "line":
            speaker = entry.get("speaker")
            if speaker is None:
                return [TranscriptRow("", safe(entry.get("text", "")), "narration")]
            index = self._speakers.get(speaker, 0)
            return [TranscriptRow(self.scenario.speaker_name(speaker), safe(entry.get("text", "")), "line",
                                  f"speaker-{index}")]
        if kind == "choice":
            if entry.get("fallback"):
                return []
            return [TranscriptRow("You", safe(entry.get("text", "")), "you")]
        if kind == "response":
            return [TranscriptRow("You", safe(entry.get("text", "")), "you")]
        if kind == "hint":
            return [TranscriptRow("Hint", safe(entry.get("text", "")), "hint")]
        if kind == "ending":
            return [TranscriptRow("", safe(OUTCOME_WORDS.get(entry.get("outcome") or "", "The conversation ended.")), "ending")]
        return []
