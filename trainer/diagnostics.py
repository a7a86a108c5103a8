"""Diagnostics: coded, located, printable messages about an author's files.

Every problem found in a scenario, rubric or policy file becomes a Diagnostic with a
stable code (``PT012``), a severity, ``file:line:col``, the source line with a caret
and, where we can guess, a hint. The CLI prints them for people or as JSON.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable

from rapidfuzz import process as _fuzzy_process


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# The stable codes. Codes are never reused for a different meaning.
CODES: dict[str, str] = {
    # Files and YAML
    "PT001": "file cannot be read",
    "PT002": "file too large",
    "PT003": "file is not UTF-8 text",
    "PT004": "YAML syntax error",
    "PT005": "duplicate key",
    "PT006": "YAML tag not allowed",
    "PT007": "nesting too deep",
    "PT008": "aliases expand too far",
    "PT009": "empty file",
    "PT010": "more than one YAML document",
    "PT011": "mapping key must be a plain value",
    "PT012": "undefined alias",
    # Schema
    "PT100": "value does not match the format",
    "PT101": "required field missing",
    "PT102": "unknown field",
    "PT103": "wrong type",
    "PT104": "value not allowed",
    "PT105": "value out of range",
    "PT106": "invalid id",
    # Scenario semantics
    "PT201": "unknown target node",
    "PT202": "unknown start node",
    "PT203": "node unreachable from the start",
    "PT204": "no ending reachable from node",
    "PT205": "no ending reachable from the start",
    "PT206": "choices can all be unavailable without a fallback",
    "PT207": "undeclared variable",
    "PT208": "variable never used",
    "PT209": "type mismatch",
    "PT210": "unknown speaker",
    "PT211": "unknown rubric",
    "PT212": "score bands leave a gap or overlap",
    "PT213": "crisis scenario without a reachable escalation",
    "PT214": "expression syntax error",
    "PT215": "duplicate id",
    "PT216": "unknown red flag or criterion",
    "PT217": "scenario test refers to an unknown node",
    "PT218": "character never speaks",
    "PT219": "more than one fallback choice",
    "PT220": "route after an unconditional route is never taken",
    "PT221": "free-text turn has no default route",
    "PT222": "variable default out of its declared range",
    "PT223": "node has more than one of choices, respond, goto, ending",
    "PT224": "free-text turn asks for a red flag no rubric on the turn can answer",
    "PT225": "two rubrics on a free-text turn share a criterion or flag id",
    # Rubric semantics
    "PT301": "unknown competency",
    "PT302": "duplicate criterion or flag id",
    "PT303": "calibration example refers to an unknown criterion or flag",
    "PT304": "indicator is empty after normalization",
    "PT305": "indicator pattern cannot be parsed",
    "PT306": "unknown term in an indicator",
    "PT307": "term never used",
    "PT308": "flag setting does not fit its severity, `holds` without `yields_to`, or flag can never be raised",
    "PT309": "fewer calibration examples than recommended",
    "PT310": "criterion or flag has no calibration example",
    # Policy
    "PT401": "policy value not allowed",
    "PT402": "policy names an unknown hour category",
    "PT403": "policy requirement period is invalid",
}


def printable(text: str) -> str:
    """Make text safe to print: control characters and terminal escapes become visible escapes."""
    out = []
    for ch in text:
        if ch == "\t" or ch == "\n":
            out.append(ch)
        elif ch == "\ufeff":
            continue
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in ("\u200d",):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def suggest(word: str, candidates: Iterable[str], *, cutoff: float = 60) -> str | None:
    """The closest candidate to a misspelt id, if one is close enough to be a useful guess."""
    pool = [c for c in candidates if c != word]
    if not pool or not word:
        return None
    found = _fuzzy_process.extractOne(word, pool, score_cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    guess = suggest(word, candidates)
    return f"did you mean '{guess}'?" if guess else None


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    width: int = 1
    source_line: str | None = None
    hint: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        if self.col is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"

    def render(self) -> str:
        """The human form: location, severity[code], message, then the source with a caret."""
        head = f"{printable(self.location)}: {self.severity.value}[{self.code}]: {printable(self.message)}"
        lines = [head]
        if self.source_line is not None and self.line is not None:
            gutter = str(self.line)
            pad = " " * len(gutter)
            source = printable(self.source_line.rstrip("\r\n")).replace("\t", " ")
            if len(source) > 160:
                source = source[:157] + "..."
            lines.append(f" {pad} |")
            lines.append(f" {gutter} | {source}")
            if self.col is not None and self.col - 1 <= len(source):
                width = max(1, min(self.width, len(source) - (self.col - 1)))
                lines.append(f" {pad} | {' ' * (self.col - 1)}{'^' * width}")
        for note in self.notes:
            lines.append(f"  note: {printable(note)}")
        if self.hint:
            lines.append(f"  hint: {printable(self.hint)}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "hint": self.hint,
            "notes": list(self.notes),
        }


def file_error(code: str, file: str, message: str, *, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, file, hint=hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line or 0, d.col or 0, d.code)


_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))
