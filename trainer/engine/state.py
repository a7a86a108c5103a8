"""The whole state of one playthrough, as plain JSON-serializable data.

Saving it after every turn and restoring it later gives exactly the same game; the
scenario's content hash travels with it, so a resume after the file changed is noticed.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATE_FORMAT = 1


class StateError(Exception):
    """A saved state that cannot be restored: the message says why, for the user."""


class StaleState(StateError):
    """The scenario changed since the state was saved."""


@dataclass
class State:
    scenario_id: str
    content_hash: str
    mode: str  # "practice" | "assessment"
    node: str
    variables: dict[str, Any]
    visits: dict[str, int] = field(default_factory=dict)
    used_once: list[str] = field(default_factory=list)  # "node/choice-key" of once-only choices taken
    transcript: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    ending: str | None = None
    outcome: str | None = None
    hints_used: int = 0
    turns: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)  # snapshots for undo, newest last
    format: int = STATE_FORMAT

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_json(cls, data: Any) -> "State":
        if not isinstance(data, dict):
            raise StateError("saved progress is not a state object")
        if data.get("format") != STATE_FORMAT:
            raise StateError(f"saved progress has format {data.get('format')!r}; this version reads {STATE_FORMAT}")
        names = {f.name for f in fields(cls)}
        missing = {"scenario_id", "content_hash", "mode", "node", "variables"} - set(data)
        if missing:
            raise StateError(f"saved progress lacks {', '.join(sorted(missing))}")
        try:
            return cls(**{k: copy.deepcopy(v) for k, v in data.items() if k in names})
        except TypeError as exc:
            raise StateError(f"saved progress is malformed: {exc}") from None

    def copy(self) -> "State":
        """An independent copy. Transcript entries and history snapshots are never mutated, so they are shared."""
        return State(
            scenario_id=self.scenario_id,
            content_hash=self.content_hash,
            mode=self.mode,
            node=self.node,
            variables=dict(self.variables),
            visits=dict(self.visits),
            used_once=list(self.used_once),
            transcript=list(self.transcript),
            finished=self.finished,
            ending=self.ending,
            outcome=self.outcome,
            hints_used=self.hints_used,
            turns=self.turns,
            history=list(self.history),
            format=self.format,
        )

    def snapshot(self) -> dict[str, Any]:
        """This state without its undo history, to push onto the history."""
        data = self.to_json()
        data.pop("history")
        return data
