"""What the catalog shows for each scenario: status, best score, hours; grouped and filtered.

Plain data computed from the library and the trainee's records, so it is tested without a
terminal and the catalog screen only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from trainer.scenario.model import Scenario
from trainer.tui.records import AttemptInfo, SavedAttempt, best_score

NEW, IN_PROGRESS, COMPLETED, PASSED = "new", "in progress", "completed", "passed"
STATUSES = (NEW, IN_PROGRESS, COMPLETED, PASSED)
FILTERS = ("all",) + STATUSES

THEME_TITLES = {
    "role-modeling": "Role modeling: sharing lived experience",
    "internalized-stigma": "Internalized stigma",
    "system-navigation": "System navigation",
    "scope-of-practice": "Scope of practice and boundaries",
    "crisis-support": "Crisis support",
    "recovery-planning": "Recovery planning",
    "cultural-responsiveness": "Cultural responsiveness",
    "whole-health": "Whole health",
    "advocacy": "Advocacy",
    "family-support": "Family support",
    "co-occurring": "Co-occurring conditions",
    "ethics": "Ethics",
}
THEME_ORDER = tuple(THEME_TITLES)


def theme_title(theme: str) -> str:
    return THEME_TITLES.get(theme, theme.replace("-", " ").capitalize())


@dataclass(frozen=True)
class CatalogEntry:
    scenario: Scenario
    status: str
    best: float | None
    hours: float  # credited, rounded by the policy as Progress rounds it
    attempts: int
    saved: SavedAttempt | None = None  # the newest unfinished attempt, to resume

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def theme(self) -> str:
        return self.scenario.themes[0] if self.scenario.themes else "other"


def entry_for(scenario: Scenario, attempts: Sequence[AttemptInfo], saved: Sequence[SavedAttempt],
              credited_hours: float = 0.0) -> CatalogEntry:
    """One row; `credited_hours` comes from the records (`HoursInfo.by_scenario`), never from adding
    up minutes here, so the catalog and Progress agree under the policy's rounding."""
    mine = [a for a in attempts if a.scenario_id == scenario.id and a.status != "abandoned"]
    resumable = [s for s in saved if s.scenario_id == scenario.id]
    finished = [a for a in mine if a.finished]
    if any(a.passed for a in finished):
        status = PASSED
    elif resumable:
        status = IN_PROGRESS
    elif finished:
        status = COMPLETED
    else:
        status = NEW
    newest = max(resumable, key=lambda s: s.updated_at) if resumable else None
    return CatalogEntry(scenario, status, best_score(finished), credited_hours, len(mine), newest)


def build_catalog(scenarios: Iterable[Scenario], attempts: Sequence[AttemptInfo], saved: Sequence[SavedAttempt],
                  hours_by_scenario: Mapping[str, float] | None = None) -> list[CatalogEntry]:
    hours_by_scenario = hours_by_scenario or {}
    return [entry_for(s, attempts, saved, hours_by_scenario.get(s.id, 0.0)) for s in scenarios]


def matches(entry: CatalogEntry, query: str, status: str = "all") -> bool:
    if status != "all" and entry.status != status:
        return False
    words = query.lower().split()
    if not words:
        return True
    s = entry.scenario
    haystack = " ".join([s.id, s.title, s.summary, " ".join(s.themes), " ".join(theme_title(t) for t in s.themes),
                         " ".join(s.competencies), s.hour_category]).lower()
    return all(w in haystack for w in words)


def grouped(entries: Iterable[CatalogEntry]) -> list[tuple[str, list[CatalogEntry]]]:
    """Entries by their first theme, themes in the library's order, titles sorted within."""
    groups: dict[str, list[CatalogEntry]] = {}
    for e in entries:
        groups.setdefault(e.theme, []).append(e)

    def order(theme: str) -> tuple[int, str]:
        return (THEME_ORDER.index(theme) if theme in THEME_ORDER else len(THEME_ORDER), theme)

    return [(t, sorted(groups[t], key=lambda e: e.scenario.title.lower())) for t in sorted(groups, key=order)]
