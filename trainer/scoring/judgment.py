"""The result of judging one response: what the engine, the records and the debrief read.

A Judgment is plain data that round-trips through JSON, so it can live inside a saved
game state and a training record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


# How the scorer's note on a reading it checked and set aside begins ("Not counted as third party disclosure: ... here in
# the room with you"); the coach and the debrief show such notes last
SET_ASIDE = "Not counted as "


def set_aside_note(flag_id: str) -> str:
    """The opening of the scorer's note on a reading of flag `flag_id` it checked and set aside."""
    return f"{SET_ASIDE}{flag_id.replace('-', ' ')}: "


def reader_set_aside_note(flag_id: str, words: str) -> str:
    """The opening of the scorer's note on a reading of the reader's it set aside: what it read, as what, and "but"."""
    return f"{set_aside_note(flag_id)}the reader read '{words}' as {flag_id.replace('-', ' ')}, but "


def inside_flag_note(flag_id: str) -> str:
    """Evidence.note of a criterion's words that earned no credit for being inside flag `flag_id`'s matched words (an
    instructor's override that clears the flag gives the credit back)."""
    return f"is part of what was flagged as {flag_id.replace('-', ' ')}"


@dataclass(frozen=True)
class Evidence:
    """Why a criterion was met or a flag raised: the trainee's own words that matched."""

    words: str  # the trainee's words, exactly as typed
    start: int  # character offsets into the response
    end: int
    indicator: str  # the rubric phrase it matched
    similarity: float  # 0..100
    note: str = ""  # e.g. "negated: not counted"

    @classmethod
    def from_dict(cls, d: dict) -> "Evidence":
        return cls(**d)


@dataclass(frozen=True)
class CriterionResult:
    id: str
    rubric: str
    competency: str
    weight: float
    met: bool
    description: str = ""
    evidence: tuple[Evidence, ...] = ()
    overridden: str | None = None  # the instructor's reason, when overridden

    @classmethod
    def from_dict(cls, d: dict) -> "CriterionResult":
        d = dict(d)
        d["evidence"] = tuple(Evidence.from_dict(e) for e in d.get("evidence", ()))
        return cls(**d)


@dataclass(frozen=True)
class FlagResult:
    id: str
    rubric: str
    severity: str  # "critical" | "soft"
    description: str = ""
    feedback: str = ""
    why: str = ""  # why it is out of scope
    evidence: tuple[Evidence, ...] = ()
    overridden: str | None = None
    penalty: float = 0.0  # soft flags: what it takes off the score
    instead: str = ""  # what to do instead (the rubric flag's `instead`)

    @classmethod
    def from_dict(cls, d: dict) -> "FlagResult":
        d = dict(d)
        d["evidence"] = tuple(Evidence.from_dict(e) for e in d.get("evidence", ()))
        return cls(**d)


@dataclass(frozen=True)
class Override:
    """An instructor's correction of one criterion or flag, with the reason recorded."""

    target: str  # "criterion" | "flag"
    id: str
    value: bool  # criterion met / flag raised, as decided by the instructor
    reason: str
    by: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> "Override":
        return cls(**d)


@dataclass(frozen=True)
class Judgment:
    score: float  # 0..1
    criteria: tuple[CriterionResult, ...] = ()
    flags: tuple[FlagResult, ...] = ()
    feedback: tuple[str, ...] = ()
    rubrics: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()
    synthetic: bool = False  # made by a test or the explorer, not by the scorer
    stuffing: bool = False  # credit was bounded because the response read as a list of rubric phrases
    dismissed_flags: tuple[FlagResult, ...] = ()  # flags an instructor overrode away, with the reason
    full_credit: tuple[tuple[str, float], ...] = ()  # (rubric, met weight for full score), for recomputing

    @property
    def met_ids(self) -> list[str]:
        return [c.id for c in self.criteria if c.met]

    @property
    def flag_ids(self) -> list[str]:
        return [f.id for f in self.flags]

    @property
    def critical(self) -> bool:
        return any(f.severity == "critical" for f in self.flags)

    @property
    def competencies(self) -> dict[str, float]:
        """Per competency: the weighted share of its criteria that were met (0..1)."""
        totals: dict[str, float] = {}
        earned: dict[str, float] = {}
        for c in self.criteria:
            totals[c.competency] = totals.get(c.competency, 0.0) + c.weight
            if c.met:
                earned[c.competency] = earned.get(c.competency, 0.0) + c.weight
        return {k: (earned.get(k, 0.0) / v if v else 0.0) for k, v in totals.items()}

    @classmethod
    def synthetic_result(
        cls,
        score: float,
        *,
        flags: tuple[str, ...] | list[str] = (),
        critical: tuple[str, ...] | list[str] = (),
        met: tuple[str, ...] | list[str] = (),
    ) -> "Judgment":
        """A made-up judgment, to drive routing in tests and exploration without the scorer."""
        return cls(
            score=float(score),
            criteria=tuple(CriterionResult(m, "synthetic", "", 1.0, True) for m in met),
            flags=tuple(FlagResult(f, "synthetic", "soft") for f in flags)
            + tuple(FlagResult(f, "synthetic", "critical") for f in critical),
            synthetic=True,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Judgment":
        return cls(
            score=float(d["score"]),
            criteria=tuple(CriterionResult.from_dict(c) for c in d.get("criteria", ())),
            flags=tuple(FlagResult.from_dict(f) for f in d.get("flags", ())),
            feedback=tuple(d.get("feedback", ())),
            rubrics=tuple(d.get("rubrics", ())),
            overrides=tuple(Override.from_dict(o) for o in d.get("overrides", ())),
            synthetic=bool(d.get("synthetic", False)),
            stuffing=bool(d.get("stuffing", False)),
            dismissed_flags=tuple(FlagResult.from_dict(f) for f in d.get("dismissed_flags", ())),
            full_credit=tuple((str(r), float(v)) for r, v in d.get("full_credit", ())),
        )

    def criterion(self, criterion_id: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def flag(self, flag_id: str) -> FlagResult | None:
        return next((f for f in self.flags if f.id == flag_id), None)

    def replace(self, **changes: Any) -> "Judgment":
        return replace(self, **changes)


__all__ = ["Evidence", "CriterionResult", "FlagResult", "Override", "Judgment", "field"]
