"""Agreement with human labels: the development set figures stated in docs/scoring.md, and calibration.

The development set (tests/data/scoring/) is honestly labelled trainee responses. The tuning slice
(trainer.scoring.semantic.TUNING_FILES: dev.yaml, the fresh batches and most outside-written batches,
each measured before it was tuned on) is what the reader was trained on; part of it (BANK_FILES) is
also the semantic channel's example bank, so it is measured leave-one-out. The held-out slice
(HELD_OUT_FILES: heldout.yaml, fresh10.yaml and one outside batch per round, drawn by lot) was never
tuned on. The thresholds below are the floors stated in docs/scoring.md; the figures are
printed by the commands in its "Measured agreement" section.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trainer.scoring.calibration import (
    Agreement,
    agreement,
    calibrate_rubric,
    load_labelled_file,
)
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer
from trainer.scoring.semantic import HELD_OUT_FILES, TUNING_FILES

DATA = Path(__file__).parent / "data" / "scoring"

# The floors stated in docs/scoring.md ("Measured agreement").
# The whole set's figures are fitted (the reader was trained on the tuning slice); they are checked on
# every FULL_SAMPLE-th tuning item and the whole held-out slice, which keeps CI under 20 minutes on
# 2 cores (`peer-trainer calibrate` prints the whole set's, docs/scoring.md).
FULL_SAMPLE = 4
FULL_FLAG_PRECISION = 0.80
FULL_FLAG_RECALL = 0.75
FULL_CRITERION_F1 = 0.75
HELDOUT_CRITERION_F1 = 0.75
HELDOUT_FLAG_MICRO_PRECISION = 0.92
HELDOUT_FLAG_MICRO_RECALL = 0.85
# The semantic channel must pay for itself on outside-written text it never saw.
SEMANTIC_RECALL_GAIN = 0.03
SEMANTIC_MIN_PRECISION = 0.90
# So must the reader, on the whole held-out slice, against the rules with the semantic channel.
READER_RECALL_GAIN = 0.03
READER_MIN_PRECISION = 0.92


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(bundled_rubric_set())


# The tuning slice (TUNING_FILES): tuned on after being measured (docs/scoring.md).
# The held-out slice: never tuned on, and its failures never printed.
HELDOUT_FILES = HELD_OUT_FILES
OUTSIDE_HELDOUT_FILES = ("outside-e.yaml", "outside-f.yaml")


def _load(names):
    items, rubrics = [], []
    for name in names:
        more, rubrics = load_labelled_file(DATA / name)
        items += more
    return items, rubrics


class _Remembered:
    """The scorer, judging each text once: the full set holds the held-out slice."""

    def __init__(self, scorer):
        self.scorer, self.memo = scorer, {}

    def __getattr__(self, name):
        return getattr(self.scorer, name)

    def judge(self, text, rubrics, **options):
        key = (text, tuple(rubrics), tuple(sorted(options.items())))
        if key not in self.memo:
            self.memo[key] = self.scorer.judge(text, rubrics, **options)
        return self.memo[key]


@pytest.fixture(scope="module")
def reports(scorer):
    dev, rubrics = _load(TUNING_FILES)
    heldout, _ = _load(HELDOUT_FILES)
    remembered = _Remembered(scorer)
    return {
        "heldout": agreement(remembered, heldout, rubrics, scope=True),
        "full": agreement(remembered, dev[::FULL_SAMPLE] + heldout, rubrics, scope=True),
        "sizes": (len(dev), len(heldout)),
        "items": dev + heldout,
    }


def test_the_development_set_is_big_and_covers_every_label(reports):
    dev, heldout = reports["sizes"]
    assert dev + heldout >= 300
    assert heldout >= 500 and heldout >= 0.15 * (dev + heldout)
    labels = {r.label for r in reports["full"].rows.values()}
    for label in labels:
        support = sum(label in item.met or label in item.flags for item in reports["items"])
        assert support >= 5, f"{label} has only {support} labelled positives"


def test_a_sample_of_the_whole_set_flags_meet_the_stated_precision_and_recall(reports):
    low = [f"{r.label}: P={r.precision:.2f} R={r.recall:.2f}" for r in reports["full"].rows.values()
           if r.kind == "flag" and (r.precision < FULL_FLAG_PRECISION or r.recall < FULL_FLAG_RECALL)]
    assert not low


def test_a_sample_of_the_whole_set_criteria_meet_the_stated_f1(reports):
    low = [f"{r.label}: F1={r.f1:.2f}" for r in reports["full"].rows.values()
           if r.kind == "criterion" and r.f1 < FULL_CRITERION_F1]
    assert not low


def test_heldout_figures_meet_the_stated_floors(reports):
    rows = reports["heldout"].rows.values()
    assert all(r.f1 >= HELDOUT_CRITERION_F1 for r in rows if r.kind == "criterion")
    flags = [r for r in rows if r.kind == "flag"]
    tp, fp, fn = sum(r.tp for r in flags), sum(r.fp for r in flags), sum(r.fn for r in flags)
    assert tp / (tp + fp) >= HELDOUT_FLAG_MICRO_PRECISION
    assert tp / (tp + fn) >= HELDOUT_FLAG_MICRO_RECALL


def _pooled(report):
    flags = [r for r in report.rows.values() if r.kind == "flag"]
    tp, fp, fn = sum(r.tp for r in flags), sum(r.fp for r in flags), sum(r.fn for r in flags)
    return tp / (tp + fp), tp / (tp + fn)


def test_the_semantic_channel_finds_more_on_outside_text_without_crying_wolf(scorer):
    items, rubrics = _load(OUTSIDE_HELDOUT_FILES)
    with_channel = _pooled(agreement(Scorer(bundled_rubric_set(), reader=False), items, rubrics, scope=True))
    rules_only = _pooled(agreement(Scorer(bundled_rubric_set(), semantic=False, reader=False), items, rubrics, scope=True))
    assert with_channel[1] >= rules_only[1] + SEMANTIC_RECALL_GAIN, (with_channel, rules_only)
    assert with_channel[0] >= SEMANTIC_MIN_PRECISION, (with_channel, rules_only)


def test_the_reader_finds_more_on_held_out_text_and_is_right_more_often(reports):
    items, rubrics = _load(HELDOUT_FILES)
    without = agreement(Scorer(bundled_rubric_set(), reader=False), items, rubrics, scope=True)
    product, baseline = _pooled(reports["heldout"]), _pooled(without)
    assert product[1] >= baseline[1] + READER_RECALL_GAIN, (product, baseline)
    assert product[0] >= max(READER_MIN_PRECISION, baseline[0]), (product, baseline)

    def mean_f1(report):
        rows = [r.f1 for r in report.rows.values() if r.kind == "criterion"]
        return sum(rows) / len(rows)

    assert mean_f1(reports["heldout"]) > mean_f1(without)


# every shipped rubric; boundaries-warmth since session 32, when an open door ("We'll see, maybe after you finish the
# program.") stopped being read as an unwarranted promise
@pytest.mark.parametrize("rubric_id", ["scope", "peer-core", "boundaries-warmth", "crisis-response", "navigation-with",
                                       "self-disclosure", "stigma-reframing"])
def test_shipped_rubrics_pass_their_own_calibration(scorer, rubric_id):
    report = calibrate_rubric(scorer, bundled_rubric_set().get(rubric_id))
    assert report.items >= 15
    assert report.passed, report.failures()


def test_agreement_arithmetic():
    row = Agreement("x", "flag")
    for predicted, expected in [(True, True)] * 8 + [(True, False)] * 2 + [(False, True)] * 2 + [(False, False)] * 88:
        row.add(predicted, expected)
    assert (row.precision, row.recall) == (0.8, 0.8)
    assert round(row.f1, 3) == 0.8
    assert round(row.kappa, 3) == round((0.96 - (0.1 * 0.1 + 0.9 * 0.9)) / (1 - (0.1 * 0.1 + 0.9 * 0.9)), 3)
    empty = Agreement("y", "flag")
    empty.add(False, False)
    assert empty.kappa == 1.0 and empty.precision == 1.0 and empty.recall == 1.0


def test_importing_scoring_and_its_commands_does_not_load_textual():
    code = ("import sys, trainer.scoring, trainer.scoring.scorer, trainer.scoring.rubrics, trainer.scoring.calibration, "
            "trainer.scoring.overrides, trainer.cli.score; "
            "from trainer.scoring.rubrics import bundled_rubric_set; from trainer.scoring.scorer import Scorer; "
            "Scorer(bundled_rubric_set()).judge('hi', ['peer-core']); "
            "print('textual' in sys.modules, 'rich' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split() == ["False", "False"]
