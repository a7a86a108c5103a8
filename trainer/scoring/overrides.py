"""Instructor overrides: correct one criterion or flag, keep the reason, recompute the score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from trainer.scoring.formula import compute_score
from trainer.scoring.judgment import CriterionResult, FlagResult, Judgment, Override, inside_flag_note


def apply_overrides(judgment: Judgment, overrides: Sequence[Override], *, rubric_set=None) -> Judgment:
    """The judgment as the instructor decided it.

    A criterion override sets `met` and records the reason in `overridden`. A flag override
    that clears a raised flag moves it to `dismissed_flags` (so `flag_ids` and `critical` no
    longer see it, but the debrief can still show what was dismissed and why); one that raises
    a flag adds it, with its severity and penalty from `rubric_set` when given (else soft, 0.1).
    Later overrides of the same target win. The score is recomputed with the same formula.
    """
    criteria = list(judgment.criteria)
    flags = list(judgment.flags)
    dismissed = list(judgment.dismissed_flags)
    for o in overrides:
        if o.target == "criterion":
            for i, c in enumerate(criteria):
                if c.id == o.id:
                    criteria[i] = replace(c, met=bool(o.value), overridden=o.reason)
                    break
            else:
                criteria.append(CriterionResult(o.id, "override", "", 1.0, bool(o.value), overridden=o.reason))
        elif o.target == "flag":
            present = [f for f in flags if f.id == o.id]
            if o.value:
                if present:
                    flags = [replace(f, overridden=o.reason) if f.id == o.id else f for f in flags]
                else:
                    back = next((f for f in dismissed if f.id == o.id), None)
                    dismissed = [f for f in dismissed if f.id != o.id]
                    if back is not None:
                        flags.append(replace(back, overridden=o.reason))
                    else:
                        flags.append(_new_flag(o, rubric_set))
            else:
                flags = [f for f in flags if f.id != o.id]
                dismissed = [f for f in dismissed if f.id != o.id]
                dismissed += [replace(f, overridden=o.reason) for f in present] or [
                    FlagResult(o.id, "override", "soft", overridden=o.reason)
                ]
            # a criterion held back only because its words were inside this flag's follows the flag
            criteria = [replace(c, met=not o.value) if _inside(c, o.id) else c for c in criteria]
        else:
            raise ValueError(f"override target must be 'criterion' or 'flag', not {o.target!r}")
    return replace(
        judgment,
        criteria=tuple(criteria),
        flags=tuple(flags),
        dismissed_flags=tuple(dismissed),
        overrides=tuple(judgment.overrides) + tuple(overrides),
        score=compute_score(criteria, flags, dict(judgment.full_credit), stuffing=judgment.stuffing),
    )


def _inside(c: CriterionResult, flag_id: str) -> bool:
    """Whether criterion `c` went uncredited only for lying inside flag `flag_id`'s words (and no override set it)."""
    note = inside_flag_note(flag_id)
    return c.overridden is None and bool(c.evidence) and all(e.note == note for e in c.evidence)


def _new_flag(o: Override, rubric_set) -> FlagResult:
    if rubric_set is not None:
        for rubric in rubric_set:
            flag = rubric.flag(o.id)
            if flag is not None:
                return FlagResult(flag.id, rubric.id, flag.severity, flag.description, flag.feedback, flag.why,
                                  overridden=o.reason, penalty=flag.penalty,
                                  instead=flag.instead)
    return FlagResult(o.id, "override", "soft", overridden=o.reason, penalty=0.1)
