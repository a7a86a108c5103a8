"""What the coach says about one move, as plain data (the coach panel and the debrief draw it).

Written for a nervous trainee: a plain verdict word, what worked first, then what to look
at, each flag with the words that raised it and why it is outside the peer role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from trainer.engine.results import quality_of
from trainer.scenario.model import COMPETENCIES
from trainer.scoring.judgment import SET_ASIDE, Judgment

CREDIT, FLAG = "credit", "flag"

VERDICTS = {
    "strong": "Strong move",
    "acceptable": "Reasonable, with room to grow",
    "weak": "Worth another look",
}


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str  # CREDIT | FLAG
    label: str


@dataclass(frozen=True)
class FlagNote:
    id: str
    severity: str
    words: tuple[str, ...]
    why: str
    feedback: str
    instead: str = ""


# The scorer writes one line per flag and criterion: "Watch - cheerleading: You said '...' - ...".
SCORER_LINE = re.compile(r"^(Critical|Watch|Met|Not credited|Not yet|Not needed) - ([A-Za-z0-9_.-]+): (.*)$", re.S)
LINE_ORDER = ("Critical", "Met", "Watch", "Not credited", "Not yet", "Not needed")  # safety first, then what worked


@dataclass(frozen=True)
class FeedbackLine:
    """One line of the scorer's feedback, split so it can be styled and ordered."""

    kind: str  # Critical | Watch | Met | Not credited | Not yet | Not needed
    item: str  # the criterion or flag id
    text: str


def parse_feedback(lines: tuple[str, ...]) -> tuple[tuple[FeedbackLine, ...], tuple[str, ...]]:
    """The scorer's lines it can read, in order of importance, and the rest as they came."""
    parsed, rest = [], []
    for line in lines:
        m = SCORER_LINE.match(line.strip())
        if m:
            parsed.append(FeedbackLine(m.group(1), m.group(2), m.group(3).strip()))
        else:
            rest.append(line)
    parsed.sort(key=lambda f: LINE_ORDER.index(f.kind))
    return tuple(parsed), tuple(rest)


def split_set_aside(plain: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The scorer's other lines, and apart from them the readings it checked and set aside (SET_ASIDE), each in order."""
    return (tuple(line for line in plain if not line.startswith(SET_ASIDE)),
            tuple(line for line in plain if line.startswith(SET_ASIDE)))


@dataclass(frozen=True)
class CoachNote:
    kind: str  # "choice" | "response"
    said: str
    quality: str
    score: float | None
    feedback: tuple[str, ...] = ()
    credited: tuple[str, ...] = ()  # what earned credit: competency names or criterion descriptions
    missed: tuple[str, ...] = ()  # criteria not met, as things to try
    flags: tuple[FlagNote, ...] = ()
    highlights: tuple[Highlight, ...] = field(default=())
    stuffing: bool = False
    lines: tuple[FeedbackLine, ...] = ()  # the scorer's own explanation, when it gives one
    set_aside: tuple[str, ...] = ()  # readings the scorer checked and did not count, with why

    @property
    def verdict(self) -> str:
        return VERDICTS.get(self.quality, self.quality)


def competency_name(comp_id: str) -> str:
    return COMPETENCIES.get(comp_id, comp_id.replace("-", " ").capitalize())


def flag_title(flag_id: str) -> str:
    return flag_id.replace("-", " ").capitalize()


def note_for(entry: dict[str, Any], flag_severity: Callable[[str], str | None] | None = None) -> CoachNote | None:
    """The coach's note on a transcript entry of kind "choice" or "response" (None for others)."""
    severity_of = flag_severity or (lambda _id: None)
    kind = entry.get("kind")
    if kind == "choice" and not entry.get("fallback"):
        flags = tuple(
            FlagNote(f, severity_of(f) or "critical", (entry.get("text", ""),), "", "") for f in entry.get("flags") or ()
        )
        score = entry.get("score")
        return CoachNote(
            "choice",
            entry.get("text", ""),
            quality_of(score, any(f.severity == "critical" for f in flags)),
            score,
            feedback=(entry["feedback"],) if entry.get("feedback") else (),
            credited=tuple(competency_name(c) for c, w in (entry.get("credit") or {}).items() if w),
            flags=flags,
        )
    if kind == "response":
        judgment = Judgment.from_dict(entry["judgment"])
        highlights: list[Highlight] = []
        credited: list[str] = []
        missed: list[str] = []
        for c in judgment.criteria:
            label = c.description or competency_name(c.competency) or c.id
            if c.met:
                credited.append(label)
                highlights.extend(Highlight(e.start, e.end, CREDIT, label) for e in c.evidence if e.note in ("", "reader"))
            elif c.description:
                missed.append(c.description)
        flags = []
        for f in judgment.flags:
            flags.append(FlagNote(f.id, f.severity, tuple(e.words for e in f.evidence), f.why, f.feedback, f.instead))
            highlights.extend(Highlight(e.start, e.end, FLAG, flag_title(f.id)) for e in f.evidence)
        lines, plain = parse_feedback(tuple(judgment.feedback))
        plain, set_aside = split_set_aside(plain)
        feedback = ((entry["feedback"],) if entry.get("feedback") else ()) + plain
        return CoachNote(
            "response",
            entry.get("text", ""),
            quality_of(judgment.score, judgment.critical, bool(judgment.flags)),
            judgment.score,
            feedback=feedback,
            credited=tuple(dict.fromkeys(credited)),
            missed=tuple(dict.fromkeys(missed)),
            flags=tuple(flags),
            highlights=tuple(sorted(highlights, key=lambda h: (h.start, h.kind != FLAG))),
            stuffing=bool(getattr(judgment, "stuffing", False)),
            lines=lines,
            set_aside=set_aside,
        )
    return None


def last_note(transcript: list[dict[str, Any]], since: int = 0,
              flag_severity: Callable[[str], str | None] | None = None) -> CoachNote | None:
    """The note on the newest move at or after `since` in the transcript."""
    for entry in reversed(transcript[since:]):
        note = note_for(entry, flag_severity)
        if note is not None:
            return note
    return None
