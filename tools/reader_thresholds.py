"""Choose the reader's thresholds per label out of fold: how scorer.py's READER_*_AT were chosen.

    python tools/reader_thresholds.py folds               # the 5 folds of the tuning slice, and how to train them
    python tools/reader_thresholds.py sweep OUT.json      # every fold judged with its own reader, over a grid
    python tools/reader_thresholds.py choose OUT.json     # per label: the shipped setting against the best one
    python tools/reader_thresholds.py verify              # the shipped settings against scorer.py's per-label ones

The tuning slice (semantic.TUNING_FILES as of the choice: up to outside-au, 6,339 responses) is cut
by file into 5 folds of about 1,270 responses, so a writer's batch is never on both sides. `folds`
prints, for each fold, the finetune_reader.py commands that train a reader without it and export it
to build/fold-K.npz (about 13 minutes each on 2 cores). `sweep` then judges each fold with the
reader that never saw it, at each setting of a grid, and writes per-label counts. Adding, overruling
and taking back act on disjoint sets of responses for a label (adding only where the rules did not
raise it), so their counts add up and each label's best combination is read off without
running it; `verify` runs the chosen combination to check. Figures in docs/scoring.md
("Thresholds per label").
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trainer.scoring.scorer as scorer_module  # noqa: E402
from trainer.scoring.calibration import load_labelled_file  # noqa: E402
from trainer.scoring.reader import Reader  # noqa: E402
from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402

DATA = ROOT / "tests" / "data" / "scoring"
# The tuning slice when the thresholds were chosen (later batches are not in any fold).
TUNING = ("dev.yaml fresh8.yaml fresh9.yaml " + " ".join(
    f"outside-{b}.yaml" for b in "a b c d g h i j k l m n o q r s t u v w x y z ab ae af ag ah ai aj ak al am an ao "
                                 "aq ar as at au".split())).split()
FOLDS = 5
ADD, SENTENCE = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01), (0.9, 0.95, 0.98, 1.01)  # 1.01: never
CRITERION_ADD, VETO, CRITERION_VETO = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01), (0.0, 0.02, 0.05, 0.1, 0.2), (0.02, 0.05, 0.1, 0.2, 0.3)
SHIPPED = dict(add=0.85, sentence=0.95, criterion=0.9, veto=0.05, criterion_veto=0.0)
MIN_GAIN = 0.01  # a label keeps the common setting unless its F1 gains this much
# A flag's setting: the best F1, where meeting the precision target (0.9) counts as 0.02 of F1,
# and precision may not fall under 0.8 (a trainee told off wrongly one time in four loses trust).
# A criterion's: the best F1 (its target is F1).
PRECISION_TARGET, PRECISION_BONUS, FLAG_PRECISION_FLOOR = 0.9, 0.02, 0.8
PER_LABEL = ("READER_ADD_AT", "READER_ADD_CRITERION_AT", "READER_VETO_AT", "READER_VETO_CRITERION_AT")


def folds() -> list[list[str]]:
    """Files to folds, largest first, each to the smallest fold so far."""
    sizes = {f: len(load_labelled_file(DATA / f)[0]) for f in TUNING}
    out: list[list[str]] = [[] for _ in range(FOLDS)]
    totals = [0] * FOLDS
    for f, n in sorted(sizes.items(), key=lambda x: -x[1]):
        k = totals.index(min(totals))
        out[k].append(f)
        totals[k] += n
    return out


class _Cached:
    """A reader that reads each response once, however many settings judge it."""

    def __init__(self, model):
        self.model, self.labels, self.whole, self.each = model, model.labels, {}, {}

    def read(self, parts):
        key = tuple(parts)
        if key not in self.whole:
            self.whole[key] = self.model.read(parts)
        return self.whole[key]

    def probs_many(self, parts):
        key = tuple(parts)
        if key not in self.each:
            self.each[key] = self.model.probs_many(parts)
        return self.each[key]


def _judge_folds(settings: list[dict]) -> list[dict]:
    """Per-label [tp, fp, fn] for each setting, every fold judged with the reader trained without it."""
    rubrics = bundled_rubric_set()
    labels = [f.id for f in rubrics.get("scope").flags] + [c.id for c in rubrics.get("peer-core").criteria]
    saved = {name: getattr(scorer_module, name) for name in PER_LABEL + ("READER_NO_VETO",)}
    counts = [{label: [0, 0, 0] for label in labels} for _ in settings]
    try:
        for k, files in enumerate(folds()):
            items = [item for f in files for item in load_labelled_file(DATA / f)[0]]
            scorer = scorer_module.Scorer(rubrics)
            scorer._reader = _Cached(Reader(ROOT / "build" / f"fold-{k}.npz"))
            for n, s in enumerate(settings):
                m = scorer_module
                m.READER_ADD, m.READER_ADD_SENTENCE, m.READER_ADD_CRITERION, m.READER_VETO = (
                    s["add"], s["sentence"], s["criterion"], s["veto"])
                for name in PER_LABEL:
                    setattr(m, name, saved[name] if s.get("per_label") else {})
                if not s.get("per_label") and not s.get("shipped"):
                    m.READER_NO_VETO = frozenset()  # the sweep decides which flags to overrule
                    m.READER_VETO_CRITERION_AT = {c: s["criterion_veto"] for c in labels[16:]}
                for item in items:
                    judged = scorer.judge(item.text, ["peer-core"], leave_out=True)
                    said, gold = set(judged.flag_ids) | set(judged.met_ids), set(item.flags) | set(item.met)
                    for label in labels:
                        a, b = label in said, label in gold
                        counts[n][label][0] += a and b
                        counts[n][label][1] += a and not b
                        counts[n][label][2] += b and not a
                for name in PER_LABEL + ("READER_NO_VETO",):
                    setattr(m, name, saved[name])
            print(f"fold {k} judged", file=sys.stderr, flush=True)
    finally:
        for name, value in saved.items():
            setattr(scorer_module, name, value)
    return counts


def sweep(out: Path) -> None:
    never = dict(add=1.01, sentence=1.01, criterion=1.01, veto=0.0, criterion_veto=0.0)
    settings = [dict(never, add=a, sentence=s) for a, s in itertools.product(ADD, SENTENCE)]
    settings += [dict(never, criterion=c) for c in CRITERION_ADD]
    settings += [dict(never, veto=v) for v in VETO]
    settings += [dict(never, criterion_veto=v) for v in CRITERION_VETO]
    settings += [dict(SHIPPED, shipped=True)]
    out.write_text(json.dumps(dict(settings=settings, counts=_judge_folds(settings))))


def _prf(tp: int, fp: int, positives: int) -> tuple[float, float, float]:
    p, r = tp / max(1, tp + fp), tp / max(1, positives)
    return p, r, 2 * p * r / max(1e-9, p + r)


def choose(path: Path) -> None:
    data = json.loads(path.read_text())
    settings, counts = data["settings"], data["counts"]

    def at(**kw) -> dict:
        never = dict(add=1.01, sentence=1.01, criterion=1.01, veto=0.0, criterion_veto=0.0)
        want = dict(never, **kw)
        return next(c for s, c in zip(settings, counts) if not s.get("shipped") and all(s[k] == v for k, v in want.items()))

    shipped = next(c for s, c in zip(settings, counts) if s.get("shipped"))
    rules = at()  # nothing added, nothing overruled
    labels = list(shipped)
    print(f"{'label':24} {'n+':>4}  shipped P / R / F1    best (setting)             P / R / F1")
    for label in labels:
        positives = shipped[label][0] + shipped[label][2]
        rows = []
        if label in labels[:16]:
            for v, a, s in itertools.product(VETO, ADD, SENTENCE):
                kept, added = at(veto=v)[label], at(add=a, sentence=s)[label]
                tp, fp = kept[0] + added[0] - rules[label][0], kept[1] + added[1] - rules[label][1]
                if _prf(tp, fp, positives)[0] >= FLAG_PRECISION_FLOOR:
                    rows.append((_prf(tp, fp, positives), f"overrule <{v}, add {a} / sentence {s}"))
        else:
            for c, v in itertools.product(CRITERION_ADD, (0.0,) + CRITERION_VETO):
                kept, added = at(criterion_veto=v)[label], at(criterion=c)[label]
                tp, fp = kept[0] + added[0] - rules[label][0], kept[1] + added[1] - rules[label][1]
                rows.append((_prf(tp, fp, positives), f"add {c}, take back <{v}"))
        def score(prf, flag=label in labels[:16]) -> float:
            return prf[2] + (PRECISION_BONUS if flag and prf[0] >= PRECISION_TARGET else 0.0)

        (p, r, f), name = max(rows, key=lambda row: score(row[0]))
        p0, r0, f0 = _prf(shipped[label][0], shipped[label][1], positives)
        mark = "  <- gains" if score((p, r, f)) - score((p0, r0, f0)) >= MIN_GAIN else ""
        print(f"{label:24} {positives:4}  {p0:.2f} / {r0:.2f} / {f0:.3f}    {name:26} {p:.2f} / {r:.2f} / {f:.3f}{mark}")


def verify() -> None:
    settings = [dict(SHIPPED, shipped=True), dict(SHIPPED, per_label=True)]
    for name, c in zip(("common settings", "per label (scorer.py)"), _judge_folds(settings)):
        flags, criteria = list(c)[:16], list(c)[16:]
        p, r, _ = _prf(sum(c[f][0] for f in flags), sum(c[f][1] for f in flags), sum(c[f][0] + c[f][2] for f in flags))
        mean_f1 = sum(_prf(c[k][0], c[k][1], c[k][0] + c[k][2])[2] for k in criteria) / len(criteria)
        print(f"{name}: flags P {p:.3f} R {r:.3f}; criteria mean F1 {mean_f1:.3f}")
        print("  " + ", ".join(f"{k} {_prf(c[k][0], c[k][1], c[k][0] + c[k][2])[0]:.2f}/"
                               f"{_prf(c[k][0], c[k][1], c[k][0] + c[k][2])[1]:.2f}" for k in flags))
        print("  " + ", ".join(f"{k} {_prf(c[k][0], c[k][1], c[k][0] + c[k][2])[2]:.3f}" for k in criteria))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("folds", "sweep", "choose", "verify"))
    parser.add_argument("out", type=Path, nargs="?", default=Path("build/reader-folds.json"))
    args = parser.parse_args()
    if args.step == "folds":
        for k, files in enumerate(folds()):
            train = ",".join(f for f in TUNING if f not in files)
            print(f"# fold {k}: {len(files)} files\nTRAIN={train} TEST={','.join(files)} "
                  f"python tools/finetune_reader.py train --out build/fold-{k}\n"
                  f"READER_OUT=build/fold-{k}.npz TEST={','.join(files)} python tools/finetune_reader.py export --out build/fold-{k}")
    elif args.step == "sweep":
        sweep(args.out)
    elif args.step == "choose":
        choose(args.out)
    else:
        verify()


if __name__ == "__main__":
    main()
