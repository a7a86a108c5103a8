"""Measure the Scorer with a given reader file at several reader thresholds: how scorer.py's were chosen.

    python tools/reader_sweep.py READER.npz FILE[,FILE...] ADD:VETO:CRITERION[@WHOLE:SENTENCE] [...]

e.g. `python tools/reader_sweep.py build/reader-kn.npz outside-k.yaml,outside-l.yaml,outside-m.yaml,outside-n.yaml
0.85:0.05:0.9 0.8:0.02:0.8 0.85:0.05:0.9:whole off` (files of tests/data/scoring; `off` is the Scorer
without the reader; `:whole` reads the whole response only, not also each sentence alone;
`@0.7:0.95` sets READER_ADD_SECOND, the thresholds for a further flag once one is raised, `@none`
turns it off). Prints flags pooled precision and recall, criterion F1 and, for a single setting,
each flag's precision / recall / positives. The reader reads each response once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trainer.scoring.reader as reader_module  # noqa: E402
import trainer.scoring.scorer as scorer_module  # noqa: E402
from trainer.scoring.calibration import load_labelled_file  # noqa: E402
from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402


def pooled(said: np.ndarray, gold: np.ndarray) -> tuple[float, float, int]:
    tp, fp, fn = (said & gold).sum(), (said & ~gold).sum(), (~said & gold).sum()
    return tp / max(1, tp + fp), tp / max(1, tp + fn), int(tp + fn)


def remembered(call):
    memo: dict = {}

    def wrapped(x):
        key = x if isinstance(x, str) else tuple(x)
        if key not in memo:
            memo[key] = call(x)
        return memo[key]
    return wrapped


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    reader_module.READER_FILE = Path(argv[0])
    items = [i for f in argv[1].split(",") for i in load_labelled_file(ROOT / "tests" / "data" / "scoring" / f)[0]]
    rubrics = bundled_rubric_set()
    flags = [f.id for f in rubrics.get("scope").flags]
    criteria = [c.id for c in rubrics.get("peer-core").criteria]
    model = reader_module.load_reader()
    for name in ("probs", "probs_many", "read"):  # what the Scorer calls, each answer kept for the next setting
        setattr(model, name, remembered(getattr(model, name)))
    for label in argv[2:]:
        setting, _, second = label.partition("@")
        if second:
            scorer_module.READER_ADD_SECOND = None if second == "none" else tuple(map(float, second.split(":")))
        on = setting != "off"
        if on:
            values = setting.split(":")
            scorer_module.READER_ADD, scorer_module.READER_VETO, scorer_module.READER_ADD_CRITERION = map(float, values[:3])
            scorer_module.READER_SENTENCES = values[3:] != ["whole"]
            if values[3:] and values[3] != "whole":
                scorer_module.READER_ADD_SENTENCE = float(values[3])
        scorer = scorer_module.Scorer(rubrics, reader=on)
        judged = [scorer.judge(i.text, ["peer-core"]) for i in items]
        said_f = np.array([[f in j.flag_ids for f in flags] for j in judged])
        gold_f = np.array([[f in i.flags for f in flags] for i in items])
        said_c = np.array([[c in j.met_ids for c in criteria] for j in judged])
        gold_c = np.array([[c in i.met for c in criteria] for i in items])
        p, r, n = pooled(said_f, gold_f)
        f1 = []
        for k in range(len(criteria)):
            cp, cr, _ = pooled(said_c[:, k], gold_c[:, k])
            f1.append(round(float(2 * cp * cr / max(1e-9, cp + cr)), 2))
        print(f"{label}: flags P {p:.3f} R {r:.3f} (n {n}); criterion F1 {f1} mean {np.mean(f1):.3f}")
        if len(argv) == 3:
            for k, f in enumerate(flags):
                fp_, fr, fn_ = pooled(said_f[:, k], gold_f[:, k])
                print(f"  {f:24} P {fp_:.2f} R {fr:.2f} n {fn_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
