"""The score formula, in one place so the scorer and instructor overrides agree.

    rubric score = min(1, weight of its criteria met / its full_credit)
                   (full_credit defaults to the rubric's total weight)
    base  = the mean of the rubric scores, over the rubrics that have criteria   (1.0 if none)
    base  = min(base, STUFFING_CAP)   if the response reads as a list of rubric phrases
    score = max(0, base - sum(penalty of each soft flag raised, once per flag))
    score = min(score, CRITICAL_CAP)   if any critical flag is raised

Averaging rubrics, rather than pooling their criteria, keeps a turn judged by two rubrics
on the same scale as a turn judged by one; full_credit says how much a single good turn is
expected to do, since no expert expects every skill a rubric lists in one reply.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from trainer.scoring.judgment import CriterionResult, FlagResult

CRITICAL_CAP = 0.2
STUFFING_CAP = 0.5  # a list of the right phrases is not yet a conversation


def rubric_scores(criteria: Iterable[CriterionResult], full_credit: Mapping[str, float] | None = None) -> dict[str, float]:
    totals: dict[str, float] = {}
    earned: dict[str, float] = {}
    for c in criteria:
        totals[c.rubric] = totals.get(c.rubric, 0.0) + c.weight
        if c.met:
            earned[c.rubric] = earned.get(c.rubric, 0.0) + c.weight
    out = {}
    for rubric, total in totals.items():
        target = min((full_credit or {}).get(rubric, total), total)
        out[rubric] = min(1.0, earned.get(rubric, 0.0) / target) if target > 0 else 1.0
    return out


def compute_score(
    criteria: Iterable[CriterionResult],
    flags: Iterable[FlagResult],
    full_credit: Mapping[str, float] | None = None,
    *,
    stuffing: bool = False,
) -> float:
    flags = list(flags)
    per_rubric = rubric_scores(criteria, full_credit)
    base = sum(per_rubric.values()) / len(per_rubric) if per_rubric else 1.0
    if stuffing:
        base = min(base, STUFFING_CAP)
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
