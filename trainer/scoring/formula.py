"""The score formula, in one place so the scorer and instructor overrides agree.

    base  = sum(weight of criteria met) / sum(weight of all criteria judged)   (1.0 if none)
    score = max(0, base - sum(penalty of each soft flag raised))
    score = min(score, CRITICAL_CAP)   if any critical flag is raised
"""

from __future__ import annotations

from collections.abc import Iterable

from trainer.scoring.judgment import CriterionResult, FlagResult

CRITICAL_CAP = 0.2


def compute_score(criteria: Iterable[CriterionResult], flags: Iterable[FlagResult]) -> float:
    criteria = list(criteria)
    flags = list(flags)
    total = sum(c.weight for c in criteria)
    earned = sum(c.weight for c in criteria if c.met)
    base = earned / total if total > 0 else 1.0
    seen: set[str] = set()
    penalty = 0.0
    for f in flags:
        if f.severity == "soft" and f.id not in seen:
            seen.add(f.id)
            penalty += f.penalty
    score = max(0.0, base - penalty)
    if any(f.severity == "critical" for f in flags):
        score = min(score, CRITICAL_CAP)
    return round(min(1.0, score), 4)
