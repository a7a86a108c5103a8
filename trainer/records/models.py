"""Plain values the store hands out. Frozen, so a client can keep them without surprises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    program_id: str
    created_at: str

    @property
    def key(self) -> str:
        """How a program tells trainees apart across machines: its own id if given, else ours."""
        return self.program_id or self.id


@dataclass(frozen=True)
class UnfinishedAttempt:
    attempt_id: str
    scenario_id: str
    mode: str
    state_json: dict[str, Any]  # feed to Engine.restore
    updated_at: str
    started_at: str = ""
    scenario_version: str = ""
    content_hash: str = ""
    engaged_seconds: float = 0.0


@dataclass(frozen=True)
class Attempt:
    id: str
    trainee_id: str
    scenario_id: str
    scenario_version: str
    scenario_title: str
    content_hash: str
    mode: str
    status: str  # active | finished | abandoned
    started_at: str
    updated_at: str
    ended_at: str | None
    engaged_seconds: float
    outcome: str | None = None
    score: float | None = None
    passed: bool | None = None
    credited_minutes: float | None = None
    hour_category: str = ""
    credit_note: str = ""
    ledger_seq: int | None = None


@dataclass(frozen=True)
class FinishedAttempt:
    attempt_id: str
    ledger_seq: int
    ledger_hash: str
    engaged_seconds: float
    credited_minutes: float
    credited_hours: float  # this attempt alone, rounded by the policy (informational under total rounding)
    hour_category: str
    credit_note: str  # why it earned what it earned, for the trainee and an auditor
    score: float | None
    passed: bool | None
    outcome: str | None


@dataclass(frozen=True)
class CreditEntry:
    """One line of a trainee's hours log."""

    attempt_id: str
    date: str  # local calendar date the attempt finished
    scenario_id: str
    title: str
    version: str
    mode: str
    category: str
    outcome: str | None
    passed: bool | None
    score: float | None
    engaged_minutes: float
    credited_minutes: float
    credited_hours: float
    note: str


@dataclass(frozen=True)
class RequirementProgress:
    name: str
    period_start: dt.date | None
    period_end: dt.date | None
    required_total: float
    earned_total: float
    by_category: Mapping[str, tuple[float, float]]  # category -> (required, earned)

    @property
    def met(self) -> bool:
        return self.earned_total >= self.required_total and all(e >= r for r, e in self.by_category.values())

    @property
    def remaining(self) -> float:
        return max(0.0, self.required_total - self.earned_total)


@dataclass(frozen=True)
class HoursSummary:
    trainee_id: str
    unit: str  # e.g. "contact hour (60 min)"
    total_hours: float
    by_category: Mapping[str, float]
    entries: tuple[CreditEntry, ...] = ()
    requirement: RequirementProgress | None = None
    policy_name: str = ""
    board_note: str = ""
    other_policies: int = 0  # entries credited under a policy other than the one in force
    category_labels: Mapping[str, str] = field(default_factory=dict)
