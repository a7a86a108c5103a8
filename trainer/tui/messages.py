"""Messages and typed results that cross screens (widget-specific ones live in their widget)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from trainer.library import Library
from trainer.tui.records import SavedAttempt


@dataclass
class LibraryLoaded(Message):
    """Posted by the app's start-up worker once scenarios, rubrics and the scorer are ready."""

    library: Library
    scorer: Any


@dataclass(frozen=True)
class StartChoice:
    """What the prebrief returns: how to start (or resume) a scenario."""

    scenario_id: str
    mode: str  # "practice" | "assessment"
    resume: SavedAttempt | None = None


@dataclass(frozen=True)
class NewTrainee:
    """What the new-trainee dialog returns."""

    name: str
    program_id: str = ""
