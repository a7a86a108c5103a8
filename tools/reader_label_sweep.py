"""Measure the Scorer with a given reader file at several thresholds for one flag: its own
READER_ADD_AT entry (whole, sentence) and, optionally, its READER_VETO_AT.

    python tools/reader_label_sweep.py READER.npz FILE[,FILE...] FLAG WHOLE:SENTENCE[:VETO] [...]

e.g. `python tools/reader_label_sweep.py build/reader-old.npz outside-bi.yaml,outside-bj.yaml,outside-bk.yaml,\
outside-bl.yaml,outside-bn.yaml unwarranted-promise 0.85:0.95 0.7:0.95` (files of tests/data/scoring). Use a
reader that was not trained on the files, or the figures are fitted. Prints, per setting, the flag's
true and false positives and misses, and all flags pooled. Each response is read by the reader once.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trainer.scoring.reader as reader_module  # noqa: E402
import trainer.scoring.scorer as scorer_module  # noqa: E402
from trainer.scoring.calibration import load_labelled_file  # noqa: E402
from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402
from reader_sweep import remembered  # noqa: E402  (tools/, this script's folder)


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    reader_module.READER_FILE = Path(argv[0])
    items = [i for f in argv[1].split(",") for i in load_labelled_file(ROOT / "tests" / "data" / "scoring" / f)[0]]
    flag = argv[2]
    model = reader_module.load_reader()
    for name in ("probs", "probs_many", "read"):  # what the Scorer calls, each answer kept for the next setting
        setattr(model, name, remembered(getattr(model, name)))
    rubrics = bundled_rubric_set()
    add_at, veto_at = dict(scorer_module.READER_ADD_AT), dict(scorer_module.READER_VETO_AT)
    for setting in argv[3:]:
        values = tuple(float(v) for v in setting.split(":"))
        scorer_module.READER_ADD_AT = {**add_at, flag: values[:2]}
        scorer_module.READER_VETO_AT = {**veto_at, flag: values[2]} if len(values) > 2 else veto_at
        scorer = scorer_module.Scorer(rubrics)
        tp = fp = fn = all_tp = all_fp = all_fn = 0
        for item in items:
            said = set(scorer.judge(item.text, ["peer-core"]).flag_ids)
            tp += flag in said and flag in item.flags
            fp += flag in said and flag not in item.flags
            fn += flag in item.flags and flag not in said
            all_tp, all_fp, all_fn = all_tp + len(said & item.flags), all_fp + len(said - item.flags), all_fn + len(item.flags - said)
        print(f"{flag} {setting}: tp {tp} fp {fp} fn {fn}, P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f}; "
              f"all flags P {all_tp / max(1, all_tp + all_fp):.3f} R {all_tp / max(1, all_tp + all_fn):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
