"""The app's side of the records store: every call guarded, every answer plain data.

A trainee must never see a traceback because the store is locked, corrupt or full, so the
screens talk to `Records`, not to the store. A failing call returns a safe default and
reports one line through `on_problem`; the app shows it as a notification. When the store
cannot be opened at all, `Records` runs as a guest session in memory and says so.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TraineeInfo:
    id: str
    name: str
    program_id: str = ""


DRAFT_KEY = "tui_draft"  # unsent words saved beside the engine's state (State.from_json ignores the key)


@dataclass(frozen=True)
class Draft:
    """Words typed in the answer box but not sent, and the turn they were typed at."""

    node: str
    turns: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "turns": self.turns, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> "Draft | None":
        if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"].strip():
            return None
        turns = data.get("turns")
        return cls(str(data.get("node", "")), turns if isinstance(turns, int) else -1, data["text"])


@dataclass(frozen=True)
class SavedAttempt:
    """An unfinished attempt that can be resumed."""

    id: Any
    scenario_id: str
    mode: str
    state: dict
    updated_at: str = ""
    draft: Draft | None = None


class _StateWithDraft:
    """What `Store.save_progress` serializes: the engine's state plus the unsent words.

    The draft lives in the attempt's saved state, so it is as private as the rest of the
    trainee's words (the owner-only store), is erased with them (`delete_responses`), and is
    gone once the attempt finishes (the final state replaces it).
    """

    def __init__(self, state: Any, draft: Draft | None):
        self.state = state
        self.draft = draft

    def to_json(self) -> dict[str, Any]:
        data = self.state.to_json()
        if self.draft is not None:
            data[DRAFT_KEY] = self.draft.to_json()
        return data


@dataclass(frozen=True)
class AttemptInfo:
    id: Any
    scenario_id: str
    mode: str
    status: str  # active | finished | abandoned
    score: float | None = None
    passed: bool | None = None
    outcome: str | None = None
    credited_minutes: float = 0.0  # this attempt's share; hours are rounded over totals (HoursInfo)
    category: str = ""
    when: str = ""
    scenario_title: str = ""
    note: str = ""

    @property
    def finished(self) -> bool:
        return self.status == "finished"


@dataclass(frozen=True)
class Requirement:
    """Progress towards the policy's requirement, inside its current window."""

    name: str
    period: str
    required_total: float
    earned_total: float
    by_category: dict[str, tuple[float, float]]  # category -> (required, earned)


@dataclass(frozen=True)
class HoursInfo:
    total: float = 0.0
    by_category: dict[str, float] = field(default_factory=dict)
    requirement: Requirement | None = None
    unit: str = "hour"
    labels: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    by_scenario: dict[str, float] = field(default_factory=dict)  # scenario id -> hours, rounded by the policy


@dataclass(frozen=True)
class Finished:
    """What finishing an attempt credited."""

    hours: float | None = None
    category: str = ""
    notes: tuple[str, ...] = ()
    minutes: float | None = None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    """A field by the first name present, from an object or a mapping (the store's rows)."""
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
        else:
            try:
                return obj[name]
            except (KeyError, IndexError, TypeError):
                continue
    return default


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return _dt.datetime.fromtimestamp(value).isoformat(timespec="minutes")
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class Records:
    def __init__(self, store: Any = None, problem: str | None = None, log_path: Path | None = None):
        self.store = store
        self.problem = problem  # why there is no store, for the sign-in screen
        self.log_path = log_path
        self.on_problem: Callable[[str], None] = lambda message: None
        self.on_finished: Callable[[Any], None] = lambda attempt_id: None  # queued statements wait to be sent
        self._guests: list[TraineeInfo] = []
        self._guest_ids = itertools.count(1)
        self._attempt_ids = itertools.count(1)

    @classmethod
    def open(cls, data_dir: Path | None) -> "Records":
        """Open the store under `data_dir`; a guest session (nothing saved) if it cannot be opened."""
        try:
            from trainer.records.store import Store
        except ImportError as exc:
            return cls(None, f"the records store is not available in this build ({exc.name})")
        try:
            return cls(Store.open(data_dir))
        except Exception as exc:  # StoreError and anything else: one line, never a traceback
            return cls(None, _one_line(exc))

    @property
    def saving(self) -> bool:
        return self.store is not None

    def _call(self, what: str, default: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.store is None:
            return default
        try:
            return getattr(self.store, method)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown as one line; details in the log
            log.debug("store.%s failed", method, exc_info=True)
            self.on_problem(f"Could not {what}: {_one_line(exc)}")
            return default

    # --- trainees ----------------------------------------------------------------------

    def trainees(self) -> list[TraineeInfo]:
        if self.store is None:
            return list(self._guests)
        rows = self._call("read the trainees", [], "trainees")
        return [self._trainee(t) for t in rows]

    def add_trainee(self, name: str, program_id: str = "") -> TraineeInfo | None:
        if self.store is None:
            guest = TraineeInfo(f"guest-{next(self._guest_ids)}", name, program_id)
            self._guests.append(guest)
            return guest
        row = self._call("add the trainee", None, "add_trainee", name, program_id)
        return None if row is None else self._trainee(row)

    @staticmethod
    def _trainee(row: Any) -> TraineeInfo:
        return TraineeInfo(str(_get(row, "id")), str(_get(row, "name", default="")),
                           str(_get(row, "program_id", default="") or ""))

    # --- attempts ----------------------------------------------------------------------

    def begin(self, trainee_id: str, scenario: Any, mode: str) -> Any:
        if self.store is None:
            return f"unsaved-{next(self._attempt_ids)}"
        return self._call("start saving this attempt", None, "begin_attempt", trainee_id, scenario, mode)

    def save_progress(self, attempt_id: Any, state: Any, draft: Draft | None = None) -> bool:
        if self.store is None or attempt_id is None:
            return False
        saved = _StateWithDraft(state, draft) if draft is not None else state
        return self._call("save your progress", False, "save_progress", attempt_id, saved) is not False

    def touch(self, attempt_id: Any) -> None:
        if self.store is not None and attempt_id is not None:
            self._call("note your activity", None, "touch", attempt_id)

    def abandon(self, attempt_id: Any) -> None:
        if self.store is not None and attempt_id is not None:
            self._call("set the old attempt aside", None, "abandon_attempt", attempt_id)

    def finish(self, attempt_id: Any, scenario: Any, state: Any, result: Any) -> Finished | None:
        if self.store is None or attempt_id is None:
            return None
        row = self._call("record the finished attempt", None, "finish_attempt", attempt_id, scenario, state, result)
        if row is None:
            return None
        self.on_finished(attempt_id)
        note = _get(row, "credit_note", default="") or ""
        return Finished(
            hours=_float(_get(row, "credited_hours")),
            minutes=_float(_get(row, "credited_minutes")),
            category=str(_get(row, "hour_category", default="") or ""),
            notes=(str(note),) if note else (),
        )

    def unfinished(self, trainee_id: str) -> list[SavedAttempt]:
        out = []
        for row in self._call("look for unfinished attempts", [], "unfinished", trainee_id) or []:
            state = _get(row, "state", "state_json", "saved_state")
            if isinstance(state, str):
                try:
                    state = json.loads(state)
                except ValueError:
                    state = {}
            state = dict(state) if isinstance(state, dict) else {}
            draft = Draft.from_json(state.pop(DRAFT_KEY, None))
            out.append(SavedAttempt(
                _get(row, "id", "attempt_id"), str(_get(row, "scenario_id", default="")),
                str(_get(row, "mode", default="practice")), state, _when(_get(row, "updated_at")), draft,
            ))
        return out

    def attempts(self, trainee_id: str, scenario_id: str | None = None) -> list[AttemptInfo]:
        rows = self._call("read your attempts", [], "attempts", trainee_id, scenario_id) or []
        out = []
        for row in rows:
            minutes = _float(_get(row, "credited_minutes"))
            out.append(AttemptInfo(
                id=_get(row, "id"),
                scenario_id=str(_get(row, "scenario_id", default="")),
                mode=str(_get(row, "mode", default="practice")),
                status=str(_get(row, "status", default="active")),
                score=_float(_get(row, "score")),
                passed=_get(row, "passed"),
                outcome=_get(row, "outcome"),
                credited_minutes=minutes or 0.0,
                category=str(_get(row, "hour_category", default="") or ""),
                when=_when(_get(row, "ended_at") or _get(row, "updated_at") or _get(row, "started_at")),
                scenario_title=str(_get(row, "scenario_title", default="") or ""),
                note=str(_get(row, "credit_note", default="") or ""),
            ))
        return out

    def save_reflection(self, attempt_id: Any, text: str) -> bool:
        if self.store is None or attempt_id is None:
            return False
        return self._call("save your reflection", False, "save_reflection", attempt_id, text) is not False

    def hours(self, trainee_id: str) -> HoursInfo:
        row = self._call("add up your hours", None, "hours", trainee_id)
        if row is None:
            return HoursInfo()
        req = _get(row, "requirement")
        requirement = None
        if req is not None:
            start, end = _get(req, "period_start"), _get(req, "period_end")
            period = f"{start or 'the start'} to {end or 'now'}" if (start or end) else ""
            requirement = Requirement(
                str(_get(req, "name", default="") or ""), period,
                _float(_get(req, "required_total")) or 0.0, _float(_get(req, "earned_total")) or 0.0,
                {str(c): (float(v[0]), float(v[1])) for c, v in dict(_get(req, "by_category", default={}) or {}).items()},
            )
        note = _get(row, "board_note", default="") or ""
        return HoursInfo(
            by_scenario=self._hours_by_scenario(_get(row, "entries", default=()) or ()),
            total=_float(_get(row, "total_hours")) or 0.0,
            by_category={str(k): _float(v) or 0.0 for k, v in dict(_get(row, "by_category", default={}) or {}).items()},
            requirement=requirement,
            unit=str(_get(row, "unit", default="hour") or "hour"),
            labels={str(k): str(v) for k, v in dict(_get(row, "category_labels", default={}) or {}).items()},
            notes=(str(note),) if note else (),
        )


    def _hours_by_scenario(self, lines: Sequence[Any]) -> dict[str, float]:
        """Each scenario's credited hours by the policy's own rounding, the arithmetic Progress totals use."""
        per_scenario: dict[str, list[Any]] = {}
        for line in lines:
            per_scenario.setdefault(str(_get(line, "scenario_id", default="")), []).append(line)
        out = {}
        for scenario_id, entries in per_scenario.items():
            by_category = self._call("add up your hours", None, "total_by_category", entries)
            if by_category is None:
                return {}
            out[scenario_id] = round(sum(by_category.values()), 6)
        return out


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def best_score(attempts: Sequence[AttemptInfo]) -> float | None:
    scores = [a.score for a in attempts if a.finished and a.score is not None]
    return max(scores) if scores else None
