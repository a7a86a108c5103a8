"""Messages and typed results that cross screens (widget-specific ones live in their widget)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from trainer.library import Library
from trainer.tui.records import SavedAttempt
from trainer.tui.sending import SendingStatus


@dataclass
class LibraryLoaded(Message):
    """Posted by the app's start-up worker once scenarios, rubrics and the scorer are ready."""

    library: Library
    scorer: Any


@dataclass
class RecordsSending(Message):
    """Posted by the records worker while it pushes to the LRS: (sent, total) so far."""

    sent: int = 0
    total: int = 0


@dataclass
class RecordsChecked(Message):
    """Posted by the records worker when it is done: what the indicator should say now."""

    status: SendingStatus
    pushed: bool = False  # a push was asked for (an attempt just finished)


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
