"""The semantic channel: red flags raised by the nearest labelled responses, not by phrases.

Phrase rules (patterns.py) catch the wordings their authors anticipated. Trainees paraphrase:
"tbh i'd just quit the gabapentin" has no "stop taking" in it. This channel compares the whole
response with labelled responses (the example bank) by meaning, and raises a flag the rules
missed when the responses most like it carry that flag.

- **Vectors.** A response is the mean of static vectors of its word pieces, trained to point
  where the sentence-embedding model all-MiniLM-L6-v2 points (`tools/build_vectors.py`: 27,558
  pieces x 128 dimensions, int8, about 3 MB). No model runs at scoring time: tokenising, a mean
  and one matrix product, well under 0.1 ms. Words are normalised first (text.py), so "u" and
  "ur" read as words.
- **Example bank.** The tuning slice of the labelled development set (BANK_FILES, stored with
  its vectors in `data/example-bank.npz` by `python -m trainer.scoring.semantic --build-bank`),
  plus the calibration examples of every loaded rubric labelled for `scope` flags: an
  instructor teaches the channel by adding calibration examples to a rubric.
- **Vote.** The K nearest examples (cosine similarity) vote for each flag, weighted by their
  similarity; a flag is raised when its share of the vote is at least VOTE (VOTE_CRITICAL, all
  of them, for a critical flag) and the nearest example carrying it is at least MIN_SIMILARITY
  close. The evidence names that example and the sentence
  of the response most like it, so the trainee and the instructor see why.

It only adds flags, and only ones the rules did not raise and did not excuse: a negation or a
quotation the rules recognised ("I won't tell you to stop taking it") is not overruled. The
figures that chose K, VOTE and MIN_SIMILARITY are in docs/scoring.md.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
VECTORS_FILE = DATA / "word-vectors.npz"
BANK_FILE = DATA / "example-bank.npz"
# The tuning slice of tests/data/scoring: the bank, and the corpus the vectors were trained on.
# HELD_OUT_FILES stay out: they measure the channel.
BANK_FILES = ("dev.yaml", "fresh8.yaml", "fresh9.yaml", "outside-a.yaml", "outside-b.yaml", "outside-c.yaml",
              "outside-d.yaml", "outside-g.yaml", "outside-h.yaml", "outside-i.yaml", "outside-j.yaml",
              "outside-k.yaml", "outside-l.yaml", "outside-m.yaml", "outside-n.yaml")
# Outside-written batches measured after the bank's vectors were built: tuning data (the reader
# trains on them, tools/finetune_reader.py) that the bank does not hold. (outside-p, outside-aa and
# outside-ad, outside-ap, outside-av, outside-az, outside-bf, outside-bm, outside-bo, outside-bz and outside-ca, each drawn by lot from its round, are held out instead.)
LATER_FILES = ("outside-o.yaml", "outside-q.yaml", "outside-r.yaml", "outside-s.yaml", "outside-t.yaml",
               "outside-u.yaml", "outside-v.yaml", "outside-w.yaml", "outside-x.yaml", "outside-y.yaml",
               "outside-z.yaml", "outside-ab.yaml", "outside-ae.yaml", "outside-af.yaml", "outside-ag.yaml",
               "outside-ah.yaml", "outside-ai.yaml", "outside-aj.yaml", "outside-ak.yaml", "outside-al.yaml",
               "outside-am.yaml", "outside-an.yaml", "outside-ao.yaml", "outside-aq.yaml", "outside-ar.yaml",
               "outside-as.yaml", "outside-at.yaml", "outside-au.yaml", "outside-aw.yaml", "outside-ax.yaml",
               "outside-ay.yaml", "outside-ba.yaml", "outside-bb.yaml", "outside-bc.yaml", "outside-bd.yaml",
               "outside-be.yaml", "outside-bg.yaml", "outside-bh.yaml", "outside-bi.yaml", "outside-bj.yaml",
               "outside-bk.yaml", "outside-bl.yaml", "outside-bn.yaml", "outside-bp.yaml", "outside-bq.yaml",
               "outside-br.yaml", "outside-bs.yaml", "outside-bt.yaml", "outside-bu.yaml", "outside-bv.yaml",
               "outside-bw.yaml", "outside-bx.yaml", "outside-by.yaml", "outside-cb.yaml", "outside-cc.yaml",
               "outside-cd.yaml", "outside-ce.yaml", "outside-cf.yaml")
TUNING_FILES = BANK_FILES + LATER_FILES
# Never tuned on: they measure the scorer (docs/scoring.md, "The development set").
HELD_OUT_FILES = ("heldout.yaml", "fresh10.yaml", "outside-e.yaml", "outside-f.yaml", "outside-p.yaml", "outside-aa.yaml",
                  "outside-ad.yaml", "outside-ap.yaml", "outside-av.yaml", "outside-az.yaml", "outside-bf.yaml",
                  "outside-bm.yaml", "outside-bo.yaml", "outside-bz.yaml", "outside-ca.yaml")

K = 5
VOTE = 0.6
VOTE_CRITICAL = 1.0  # a critical flag (it fails an assessment) needs all K nearest examples to carry it
MIN_SIMILARITY = 0.7
# A bag of word pieces cannot tell "That makes sense." from "That doesn't make sense to me."; in
# replies this short the phrase rules are the better judge, and the channel stays out.
MIN_WORDS = 6


@dataclass(frozen=True)
class Example:
    text: str
    flags: frozenset[str]
    source: str  # "bank" or a rubric id


@dataclass(frozen=True)
class SemanticFlag:
    flag: str
    share: float  # the flag's share of the weighted vote, 0..1
    example: Example  # the nearest example carrying it
    similarity: float  # 0..1
    row: int = -1  # the example's row in the bank's matrix


class WordPieces:
    """BERT's uncased WordPiece over already-normalised words: longest known prefix first."""

    def __init__(self, vocab: Sequence[str]):
        self.index = {p: i for i, p in enumerate(vocab)}
        self._cache: dict[str, tuple[int, ...]] = {}

    def word(self, word: str) -> tuple[int, ...]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        ids: list[int] = []
        for part in _split_punctuation(_plain(word)):
            ids += self._pieces(part)
        out = tuple(ids)
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out

    def _pieces(self, word: str) -> list[int]:
        from trainer.scoring.reader import wordpiece

        return wordpiece(word, self.index) or []  # BERT reads an unknown word as [UNK]; it carries no meaning here


def _plain(word: str) -> str:
    word = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in word if unicodedata.category(c) != "Mn")


def _split_punctuation(word: str) -> list[str]:
    parts, current = [], []
    for c in word:
        if c.isalnum():
            current.append(c)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


@lru_cache(maxsize=1)
def _vectors():
    import numpy as np

    with np.load(VECTORS_FILE, allow_pickle=False) as data:
        vocab = [str(v) for v in data["vocab"]]
        table = data["vectors"].astype(np.float32) * data["scale"]
    return WordPieces(vocab), table


def load_bank(path: Path | None = None) -> tuple[list["Example"], object]:
    """The stored example bank: its examples and their vectors (rows of a float32 matrix).
    Read once per file and kept: every Scorer of the process shares it."""
    path = Path(path or BANK_FILE)
    stat = path.stat()
    examples, matrix = _read_bank(str(path), stat.st_mtime_ns, stat.st_size)
    return list(examples), matrix


@lru_cache(maxsize=4)
def _read_bank(path: str, mtime_ns: int, size: int):
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        texts = [str(t) for t in data["texts"]]
        flags = [frozenset(f for f in str(fs).split(",") if f) for fs in data["flags"]]
        matrix = data["matrix"].astype(np.float32)
    matrix.setflags(write=False)
    return tuple(Example(t, f, "bank") for t, f in zip(texts, flags)), matrix


class SemanticFlags:
    """Nearest-example flag votes over an example bank; build once, then call flags() per response."""

    def __init__(self, examples: Iterable[Example], *, matrix=None, k: int = K, vote: float = VOTE,
                 min_similarity: float = MIN_SIMILARITY, critical: Iterable[str] = (),
                 vote_critical: float = VOTE_CRITICAL):
        """`matrix`: precomputed vectors of the first len(matrix) examples (the stored bank);
        `critical`: the flags that need `vote_critical` of the vote rather than `vote`."""
        import numpy as np

        from trainer.scoring.text import tokenize

        self._np = np
        self.pieces, self.table = _vectors()
        self.k, self.vote, self.min_similarity = k, vote, min_similarity
        self.critical, self.vote_critical = frozenset(critical), vote_critical
        examples = list(examples)
        known = 0 if matrix is None else len(matrix)
        unique: dict[str, int] = {}
        for i, ex in enumerate(examples):
            unique.setdefault(ex.text, i)  # the first label wins: the bank before rubric examples
        self.examples = [examples[i] for i in unique.values()]
        rows = [matrix[i] if i < known else self.embed([t.norm for t in tokenize(examples[i].text).tokens])
                for i in unique.values()]
        self.matrix = np.array(rows, dtype=np.float32).reshape(len(rows), self.table.shape[1])
        self.labels = sorted({f for ex in self.examples for f in ex.flags})
        self.carries = np.array([[f in ex.flags for f in self.labels] for ex in self.examples],
                                dtype=np.float32).reshape(len(self.examples), len(self.labels))

    def embed(self, words: Sequence[str]):
        np = self._np
        ids = [i for w in words for i in self.pieces.word(w)]
        if not ids:
            return np.zeros(self.table.shape[1], dtype=np.float32)
        v = self.table[ids].mean(0)
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else v

    def flags(self, words: Sequence[str], *, exclude_text: str | None = None) -> list[SemanticFlag]:
        """The flags the nearest examples vote for. `exclude_text` leaves that example out (for
        measuring the bank on its own examples, leave-one-out)."""
        np = self._np
        if not len(self.examples) or not self.labels or len(words) < MIN_WORDS:
            return []
        v = self.embed(words)
        if not v.any():
            return []
        sims = self.matrix @ v
        if exclude_text is not None:
            for i, ex in enumerate(self.examples):
                if ex.text == exclude_text:
                    sims[i] = -1.0
        k = min(self.k, len(sims))
        near = np.argpartition(-sims, k - 1)[:k]
        near = near[np.argsort(-sims[near])]
        weights = np.clip(sims[near], 0.0, None)
        total = float(weights.sum())
        if total <= 0:
            return []
        shares = weights @ self.carries[near] / total
        out = []
        for j in np.nonzero(shares >= self.vote)[0]:
            if self.labels[j] in self.critical and shares[j] < self.vote_critical - 1e-6:
                continue
            carrying = [i for i in near if self.carries[i, j]]
            best = carrying[0]
            if sims[best] >= self.min_similarity:
                out.append(SemanticFlag(self.labels[j], float(shares[j]), self.examples[best], float(sims[best]), int(best)))
        return out


    def closest_span(self, tt, row: int) -> tuple[int, int]:
        """The sentence of a tokenised response most like example `row`: token indexes [start, end)."""
        best, best_sim = (0, len(tt.tokens)), -2.0
        for a, b in tt.sentence_spans():
            sim = float(self.embed([t.norm for t in tt.tokens[a:b]]) @ self.matrix[row])
            if sim > best_sim:
                best, best_sim = (a, b), sim
        return best


def rubric_examples(rubric_set) -> list[Example]:
    """Calibration examples labelled for scope flags: those of `scope` and of rubrics calibrated with it."""
    out = []
    for rubric in rubric_set:
        if rubric.id == "scope" or "scope" in rubric.calibration.rubrics:
            out += [Example(ex.text, frozenset(ex.flags), rubric.id) for ex in rubric.calibration.examples]
    return out


def build_bank(sources: Sequence[Path], out: Path = BANK_FILE) -> int:
    """Store the example bank: the responses of labelled data files, their flag labels and vectors."""
    import numpy as np

    from trainer.scoring.calibration import load_labelled_file

    examples: list[Example] = []
    for src in sources:
        items, _ = load_labelled_file(src)
        examples += [Example(it.text, frozenset(it.flags), "bank") for it in items]
    index = SemanticFlags(examples)
    np.savez_compressed(out, texts=np.array([ex.text for ex in index.examples]),
                        flags=np.array([",".join(sorted(ex.flags)) for ex in index.examples]),
                        matrix=index.matrix.astype(np.float16))
    return len(index.examples)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m trainer.scoring.semantic",
                                 description="Rebuild the semantic channel's example bank from the tuning slice.")
    ap.add_argument("--build-bank", action="store_true", help=f"write {BANK_FILE.name} from BANK_FILES")
    ap.add_argument("--data", type=Path, default=Path("tests/data/scoring"))
    args = ap.parse_args(argv)
    if args.build_bank:
        n = build_bank([args.data / name for name in BANK_FILES])
        print(f"{n} examples -> {BANK_FILE}")
    else:
        ap.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
