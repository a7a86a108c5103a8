"""Agreement between the scorer and human labels: per-label precision, recall, F1 and Cohen's kappa.

Two sources of labels use it: a rubric's own calibration examples (`peer-trainer calibrate`)
and a labelled data file such as the development set (`peer-trainer calibrate --data FILE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trainer.scoring.rubrics import DEFAULT_THRESHOLDS, Rubric


@dataclass
class Agreement:
    """A 2x2 table for one criterion or flag: scorer (predicted) against label (expected)."""

    label: str
    kind: str  # "criterion" | "flag"
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    def add(self, predicted: bool, expected: bool, text: str = "") -> None:
        if predicted and expected:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.false_positives.append(text)
        elif expected:
            self.fn += 1
            self.false_negatives.append(text)
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa; 1.0 when scorer and label agree on every item, even with no positives."""
        n = self.n
        if n == 0:
            return 1.0
        observed = (self.tp + self.tn) / n
        p_yes = ((self.tp + self.fp) / n) * ((self.tp + self.fn) / n)
        p_no = ((self.fn + self.tn) / n) * ((self.fp + self.tn) / n)
        expected = p_yes + p_no
        if expected >= 1.0:
            return 1.0 if observed >= 1.0 else 0.0
        return (observed - expected) / (1 - expected)

    def to_dict(self) -> dict:
        return {
            "label": self.label, "kind": self.kind, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "support": self.support, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "kappa": round(self.kappa, 4),
        }


@dataclass(frozen=True)
class LabelledItem:
    text: str
    met: frozenset[str]
    flags: frozenset[str]
    note: str = ""


@dataclass
class AgreementReport:
    """Agreement on a set of labelled items, per criterion and per flag."""

    name: str
    rubrics: tuple[str, ...]
    rows: dict[str, Agreement]
    items: int
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))

    def failures(self) -> list[str]:
        """Rows below the thresholds (only rows with at least one labelled positive are held to recall)."""
        out = []
        for row in self.rows.values():
            problems = []
            if row.tp + row.fp and row.precision < self.thresholds["precision"]:
                problems.append(f"precision {row.precision:.2f} < {self.thresholds['precision']:.2f}")
            if row.support and row.recall < self.thresholds["recall"]:
                problems.append(f"recall {row.recall:.2f} < {self.thresholds['recall']:.2f}")
            if (row.support or row.fp) and row.kappa < self.thresholds["kappa"]:
                problems.append(f"kappa {row.kappa:.2f} < {self.thresholds['kappa']:.2f}")
            if problems:
                out.append(f"{row.label}: " + ", ".join(problems))
        return out

    @property
    def passed(self) -> bool:
        return not self.failures()

    def to_dict(self) -> dict:
        return {
            "name": self.name, "rubrics": list(self.rubrics), "items": self.items,
            "thresholds": dict(self.thresholds), "passed": self.passed, "failures": self.failures(),
            "rows": [r.to_dict() for r in self.rows.values()],
        }


def agreement(scorer, items: Sequence[LabelledItem], rubrics: Sequence[str], *, scope: bool, name: str = "",
              thresholds: Mapping[str, float] | None = None) -> AgreementReport:
    """Judge every item and tabulate each criterion and flag of the judged rubrics."""
    ids = scorer.rubric_ids(rubrics, scope)
    rows: dict[str, Agreement] = {}
    for rid in ids:
        rubric = scorer.rubric_set.get(rid)
        for c in rubric.criteria:
            rows.setdefault(c.id, Agreement(c.id, "criterion"))
        for f in rubric.flags:
            rows.setdefault(f.id, Agreement(f.id, "flag"))
    for item in items:
        judgment = scorer.judge(item.text, rubrics, scope=scope, leave_out=True)
        met = set(judgment.met_ids)
        raised = set(judgment.flag_ids)
        for row in rows.values():
            if row.kind == "criterion":
                row.add(row.label in met, row.label in item.met, item.text)
            else:
                row.add(row.label in raised, row.label in item.flags, item.text)
    return AgreementReport(name, tuple(ids), rows, len(items), dict(thresholds or DEFAULT_THRESHOLDS))


def calibrate_rubric(scorer, rubric: Rubric) -> AgreementReport:
    """Run a rubric's calibration examples: judged by the rubric plus its calibration `rubrics`, no scope."""
    items = [LabelledItem(e.text, e.met, e.flags, e.note) for e in rubric.calibration.examples]
    rubrics = [rubric.id] + [r for r in rubric.calibration.rubrics if r != rubric.id]
    return agreement(scorer, items, rubrics, scope=False, name=rubric.id, thresholds=rubric.calibration.thresholds)


# --- labelled data files -------------------------------------------------------------------------


class DataFileError(ValueError):
    pass


def load_labelled_file(path: str | Path) -> tuple[list[LabelledItem], list[str]]:
    """A labelled data file: `rubrics: [...]`, optional `codes: {SHORT: id}`, optional
    `thresholds: {precision, recall, kappa}`, and `items:` of `{t|text, m|met, f|flags, note}`.
    Returns the items and the rubric ids to judge them with (see load_thresholds)."""
    from trainer.yamlsource import load_yaml

    doc, diagnostics = load_yaml(path)
    if doc is None:
        # where and why, as `validate` says it: "labels.yaml:2:5: error[PT004]: ..." and the line with a caret
        raise DataFileError("\n".join(d.render() for d in diagnostics) or f"cannot read {path}")
    data = doc.data
    if isinstance(data, list):
        data = {"items": data}
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise DataFileError(f"{path}: expected a mapping with 'items:' (a list of labelled responses)")
    codes = data.get("codes") or {}
    rubrics = [str(r) for r in data.get("rubrics") or []]
    items = []
    for i, raw in enumerate(data["items"]):
        if not isinstance(raw, dict):
            raise DataFileError(f"{path}: item {i + 1} is not a mapping")
        text = raw.get("t", raw.get("text"))
        if not isinstance(text, str):
            raise DataFileError(f"{path}: item {i + 1} has no text")
        met = frozenset(codes.get(x, x) for x in raw.get("m", raw.get("met", [])) or [])
        flags = frozenset(codes.get(x, x) for x in raw.get("f", raw.get("flags", [])) or [])
        items.append(LabelledItem(text, met, flags, str(raw.get("note", ""))))
    return items, rubrics


def load_thresholds(path: str | Path) -> dict[str, float]:
    """The `thresholds:` a labelled data file states, over the defaults."""
    from trainer.yamlsource import load_yaml

    doc, _ = load_yaml(path)
    out = dict(DEFAULT_THRESHOLDS)
    if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("thresholds"), dict):
        out.update({k: float(v) for k, v in doc.data["thresholds"].items() if k in out and isinstance(v, (int, float))})
    return out


def check_labels(items: Iterable[LabelledItem], known: set[str]) -> list[str]:
    """Labels in a data file that name no criterion or flag of the judged rubrics."""
    unknown = set()
    for item in items:
        unknown |= {x for x in item.met | item.flags if x not in known}
    return sorted(unknown)
