"""Messages and typed results that cross screens (widget-specific ones live in their widget)."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.tui.records import SavedAttempt


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
