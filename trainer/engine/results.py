"""What an attempt amounts to: overall score, score by competency, flags, turn-by-turn notes.

Derived from a State's transcript, never stored separately, so the debrief, the records
and the test runner always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from trainer.engine.state import State
from trainer.scenario.model import PASSING_OUTCOMES, Scenario
from trainer.scoring.judgment import Judgment

STRONG, ACCEPTABLE, WEAK = "strong", "acceptable", "weak"
STRONG_SCORE = 0.75  # the least score a move with no flag needs to be called strong


@dataclass(frozen=True)
class FlagSeen:
    id: str
    severity: str
    node: str
    words: str = ""  # the trainee's words that raised it (free text), or the choice text
    why: str = ""
    feedback: str = ""  # what the words did (the rubric flag's feedback)
    instead: str = ""  # what to do instead


@dataclass(frozen=True)
class TurnNote:
    index: int  # position in the transcript
    node: str
    kind: str  # "choice" | "response"
    said: str
    score: float | None
    quality: str  # strong | acceptable | weak
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptResult:
    finished: bool
    outcome: str | None
    ending: str | None
    score: float | None  # mean over scored turns, 0..1
    competencies: dict[str, float]
    flags: tuple[FlagSeen, ...]
    turns: tuple[TurnNote, ...]
    hints_used: int
    passed: bool | None = None  # assessment mode only
    notes: tuple[str, ...] = field(default=())

    @property
    def critical_flags(self) -> list[FlagSeen]:
        return [f for f in self.flags if f.severity == "critical"]


def quality_of(score: float | None, critical: bool, flagged: bool = False) -> str:
    """The verdict word for a move. A move that raised any red flag is never "strong", whatever
    its score: a trainer would not call a long graphic disclosure a strong move."""
    if critical:
        return WEAK
    if score is None:
        return ACCEPTABLE
    if score >= STRONG_SCORE:
        return ACCEPTABLE if flagged else STRONG
    if score >= 0.4:
        return ACCEPTABLE
    return WEAK


def summarize(
    scenario: Scenario,
    state: State,
    flag_severity: Callable[[str], str | None] | None = None,
) -> AttemptResult:
    """Score an attempt from its transcript. `flag_severity` looks up flags named by choices."""
    severity_of = flag_severity or (lambda _id: None)
    scores: list[float] = []
    comp_sum: dict[str, float] = {}
    comp_n: dict[str, int] = {}
    flags: list[FlagSeen] = []
    notes: list[TurnNote] = []

    for i, entry in enumerate(state.transcript):
        kind = entry["kind"]
        if kind == "choice" and not entry.get("fallback"):
            score = entry.get("score")
            if score is not None:
                scores.append(score)
            for comp, weight in (entry.get("credit") or {}).items():
                level = weight * (score if score is not None else 1.0)
                comp_sum[comp] = comp_sum.get(comp, 0.0) + level
                comp_n[comp] = comp_n.get(comp, 0) + 1
            critical = False
            for flag_id in entry.get("flags") or ():
                sev = severity_of(flag_id) or "critical"
                critical = critical or sev == "critical"
                flags.append(FlagSeen(flag_id, sev, entry["node"], entry.get("text", "")))
            reasons = (entry["feedback"],) if entry.get("feedback") else ()
            notes.append(TurnNote(i, entry["node"], "choice", entry.get("text", ""), score, quality_of(score, critical), reasons))
        elif kind == "response":
            judgment = Judgment.from_dict(entry["judgment"])
            scores.append(judgment.score)
            for comp, level in judgment.competencies.items():
                comp_sum[comp] = comp_sum.get(comp, 0.0) + level
                comp_n[comp] = comp_n.get(comp, 0) + 1
            for f in judgment.flags:
                words = "; ".join(e.words for e in f.evidence)
                flags.append(FlagSeen(f.id, f.severity, entry["node"], words, f.why, f.feedback, f.instead))
            reasons = tuple(judgment.feedback) + ((entry["feedback"],) if entry.get("feedback") else ())
            notes.append(TurnNote(i, entry["node"], "response", entry["text"], judgment.score,
                                  quality_of(judgment.score, judgment.critical, bool(judgment.flags)), reasons))

    score = sum(scores) / len(scores) if scores else None
    competencies = {c: comp_sum[c] / comp_n[c] for c in comp_sum}
    passed = None
    if state.mode == "assessment" and state.finished:
        passed = (
            state.outcome in PASSING_OUTCOMES
            and (score is None or score >= scenario.pass_score)
            and not any(f.severity == "critical" for f in flags)
        )
    return AttemptResult(
        finished=state.finished,
        outcome=state.outcome,
        ending=state.ending,
        score=score,
        competencies=competencies,
        flags=tuple(flags),
        turns=tuple(notes),
        hints_used=state.hints_used,
        passed=passed,
    )
