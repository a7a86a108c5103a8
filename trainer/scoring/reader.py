"""The reader: a small transformer that reads a whole response and says which flags and criteria it carries.

Phrase rules (patterns.py) catch the wordings their authors anticipated, and the semantic channel
(semantic.py) the responses whose words resemble a labelled one. Neither reads word order: "I'd
never tell you to quit" and "I'd quit if I were you" are the same bag of words. The reader is
all-MiniLM-L6-v2 (6 layers, 384 wide, Apache-2.0) fine-tuned on the tuning slice of the labelled
development set (`tools/finetune_reader.py`) to give, for each of the 16 `scope` flags and the 7
`peer-core` criteria, the probability that an experienced trainer would say the response has it
(not `closed-questions`, which the scorer counts from the response's shape).

It runs here in plain numpy, no PyTorch: BERT's own uncased tokenizer, int8 weights stored per row
(`data/reader.npz`, about 20 MB) expanded to float32 once, and one forward pass per response, a few
milliseconds. The Scorer uses it as a second reader beside the rules (thresholds in scorer.py,
chosen on batches the reader was not trained on; figures in docs/scoring.md).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from trainer.scoring.text import TEXTING

READER_FILE = Path(__file__).parent / "data" / "reader.npz"
MAX_PIECES = 128  # pieces per window, [CLS] and [SEP] included; longer responses are read in windows
WINDOW_STEP = 96
# A spoken turn is a few hundred pieces; a pasted book is not one. The reader reads at most this many
# windows (about 1,000 pieces, some 750 words; a full window costs about 60 ms); the phrase rules still
# read everything.
MAX_WINDOWS = 10
MAX_WORD_CHARS = 100
LN_EPS = 1e-12


# --- BERT's uncased tokenizer (BasicTokenizer + WordPiece), as the model was trained with ------------------


def _is_whitespace(c: str) -> bool:
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def _is_control(c: str) -> bool:
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def _is_punctuation(c: str) -> bool:
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def wordpiece(word: str, index: dict[str, int]) -> list[int] | None:
    """BERT's WordPiece: the longest known prefix, then the longest known "##" continuation, and so
    on; None where some part is unknown or the word is over MAX_WORD_CHARS (BERT reads it as [UNK])."""
    if len(word) > MAX_WORD_CHARS:
        return None
    out, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            found = index.get(word[start:end] if start == 0 else "##" + word[start:end])
            if found is not None:
                break
            end -= 1
        if found is None:
            return None
        out.append(found)
        start = end
    return out


class Tokenizer:
    def __init__(self, vocab: list[str]):
        self.index = {p: i for i, p in enumerate(vocab)}
        self.unk, self.cls, self.sep = self.index["[UNK]"], self.index["[CLS]"], self.index["[SEP]"]
        self._cache: dict[str, list[int]] = {}

    def words(self, text: str) -> list[str]:
        """Basic tokenization: cleaned, lower-cased, accents stripped, split at spaces and punctuation."""
        chars = []
        for c in text:
            cp = ord(c)
            if cp == 0 or cp == 0xFFFD or _is_control(c):
                continue
            if _is_whitespace(c):
                chars.append(" ")
            elif _is_cjk(cp):
                chars += [" ", c, " "]
            else:
                chars.append(c)
        text = unicodedata.normalize("NFD", "".join(chars).lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        out: list[str] = []
        for word in text.split():
            current: list[str] = []
            for c in word:
                if _is_punctuation(c):
                    if current:
                        out.append("".join(current))
                        current = []
                    out.append(c)
                else:
                    current.append(c)
            if current:
                out.append("".join(current))
        return out

    def piece_ids(self, word: str) -> list[int]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        pieces = wordpiece(word, self.index)
        out = [self.unk] if pieces is None else pieces
        if len(self._cache) < 100_000:
            self._cache[word] = out
        return out

    def encode(self, text: str) -> list[int]:
        """Word-piece ids of `text`, without [CLS] and [SEP]."""
        return [i for w in self.words(text) for i in self.piece_ids(w)]


# --- the model ----------------------------------------------------------------------------------------------


def _layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + LN_EPS) * gamma + beta


def _gelu(x):
    # BERT's exact gelu, x * Phi(x), with erf from Abramowitz & Stegun 7.1.26 (error under 1.5e-7)
    z = np.abs(x) * 0.7071067811865476
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-z * z)
    return 0.5 * x * (1.0 + np.copysign(erf, x))


class ReaderError(Exception):
    """The reader's data file is missing, damaged or does not fit this version of the code."""


# Misspelt negations the reader never saw in training, which its word pieces cannot read as "never"
# ("nevr" is "ne ##vr"): "i would nevr tell u to stop ur meds" read 99% advice. The phrase rules read
# them through text.TEXTING; the reader gets the word it knows. Only negations: a texting spelling it
# learnt ("u", "ur") is left as it was trained on.
RESPELL = {typed: word for typed, word in TEXTING.items() if word == "never"}
_RESPELL_RE = re.compile(r"\b(" + "|".join(RESPELL) + r")\b", re.IGNORECASE)


def respell(text: str) -> str:
    return _RESPELL_RE.sub(lambda m: RESPELL[m.group().lower()], text)


class Reader:
    """Probabilities, per label, that a response carries it. Build once (about 0.3 s), then call probs()."""

    def __init__(self, path: Path | str = READER_FILE):
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except Exception as exc:  # noqa: BLE001 - missing, truncated (BadZipFile) or unreadable
            raise ReaderError(f"cannot read {path}: {type(exc).__name__}: {exc}") from exc
        try:
            self.labels: tuple[str, ...] = tuple(str(s) for s in arrays.pop("labels"))
            self.tokenizer = Tokenizer([str(s) for s in arrays.pop("vocab")])
            self.heads = int(arrays.pop("heads"))
            # the word-piece table stays int8 (a row is expanded when a piece is read): 4x less memory
            self.word_q, self.word_s = arrays.pop("word.q"), arrays.pop("word.s").astype(np.float32)
            weights = {}
            for name in list(arrays):
                if name.endswith(".q"):
                    base = name[:-2]
                    weights[base] = arrays[name].astype(np.float32) * arrays[base + ".s"][:, None]
                elif not name.endswith(".s"):
                    weights[name] = arrays[name].astype(np.float32)
            self.position = weights["position"]
            self.emb_ln = (weights["emb_ln.g"], weights["emb_ln.b"])
            self.layers = []
            k = 0
            while f"l{k}.qkv" in weights:
                w = {n: weights[f"l{k}.{n}"] for n in ("qkv", "qkv.b", "out", "out.b", "ln1.g", "ln1.b",
                                                         "up", "up.b", "down", "down.b", "ln2.g", "ln2.b")}
                # stored as (out, in) rows, so each row has its own int8 scale; used as x @ W.T
                for n in ("qkv", "out", "up", "down"):
                    w[n] = np.ascontiguousarray(w[n].T)
                self.layers.append(w)
                k += 1
            self.head = np.ascontiguousarray(weights["head"].T)
            self.head_b = weights["head.b"]
            width = self.word_q.shape[1]
            if (not self.layers or width % self.heads or self.head.shape != (width, len(self.labels))
                    or self.word_s.shape != (self.word_q.shape[0],) or len(self.tokenizer.index) != self.word_q.shape[0]
                    or self.position.shape != (max(MAX_PIECES, self.position.shape[0]), width)):
                raise ValueError("layer shapes do not fit")
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            raise ReaderError(f"{path} does not hold a reader this version can use ({exc})") from exc

    def probs(self, text: str) -> np.ndarray:
        """One probability per label (self.labels); a long response is read in overlapping windows
        and each label keeps its highest probability."""
        return self.read([text])[0]

    def read(self, segments: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Read the text made of `segments` (its sentences, say) once. Returns the probability of each
        label and, per segment and label, how much the segment pushed that label: the mean over its
        word pieces of their share of the logit (the logit is the mean of every piece's last hidden
        state through the linear head, so the shares add up exactly). A segment without word pieces
        gets -inf."""
        per = [self.tokenizer.encode(respell(s)) for s in segments]
        ids = [i for p in per for i in p]
        owner = np.repeat(np.arange(len(per)), [len(p) for p in per])
        inner = MAX_PIECES - 2
        starts = range(0, max(1, len(ids) - inner + WINDOW_STEP), WINDOW_STEP) if len(ids) > inner else range(1)
        starts = starts[:MAX_WINDOWS]
        best = None
        share = np.full((len(ids), len(self.labels)), -np.inf, dtype=np.float32)
        for s in starts:
            hidden = self._forward([self.tokenizer.cls, *ids[s:s + inner], self.tokenizer.sep])
            pieces = hidden @ self.head
            logits = pieces.mean(0) + self.head_b
            p = 1.0 / (1.0 + np.exp(-logits))
            best = p if best is None else np.maximum(best, p)
            inside = pieces[1:-1]
            share[s:s + len(inside)] = np.maximum(share[s:s + len(inside)], inside)
        pushed = np.full((len(per), len(self.labels)), -np.inf, dtype=np.float32)
        for k in range(len(per)):
            mine = owner == k
            if mine.any():
                pushed[k] = share[mine].mean(0)
        return best, pushed

    def probs_many(self, texts: list[str]) -> np.ndarray:
        """probs() of each text, one row each; texts that fit one window are read together in one
        padded pass (the same probabilities, a fraction of the cost of one pass each)."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        inner = MAX_PIECES - 2
        short: list[tuple[int, list[int]]] = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.encode(respell(text))
            if len(ids) > inner:
                out[i] = self.probs(text)
            else:
                short.append((i, [self.tokenizer.cls, *ids, self.tokenizer.sep]))
        if short:
            longest = max(len(ids) for _, ids in short)
            batch = np.zeros((len(short), longest), dtype=np.int64)  # 0 is [PAD]
            lengths = np.array([len(ids) for _, ids in short])
            for row, (_, ids) in enumerate(short):
                batch[row, :len(ids)] = ids
            hidden = self._forward(batch, lengths)
            valid = (np.arange(longest)[None, :] < lengths[:, None])[:, :, None]
            pooled = (hidden * valid).sum(1) / lengths[:, None]
            logits = pooled @ self.head + self.head_b
            out[[i for i, _ in short]] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def _forward(self, ids, lengths=None) -> np.ndarray:
        """The last layer's hidden states: one row per piece of `ids` (a list), or a (texts, pieces,
        width) array for a padded batch of ids (texts x pieces) with their `lengths`."""
        batch = np.atleast_2d(np.asarray(ids, dtype=np.int64))
        b, n = batch.shape
        x = self.word_q[batch].astype(np.float32) * self.word_s[batch][..., None] + self.position[:n]
        x = _layer_norm(x, *self.emb_ln)
        width = x.shape[-1]
        heads, size = self.heads, width // self.heads
        scale = np.float32(1.0 / np.sqrt(size))  # a float64 scalar would turn every later product into float64
        mask = None
        if lengths is not None:  # padded pieces are never attended to
            mask = np.where(np.arange(n)[None, :] < np.asarray(lengths)[:, None], 0.0, -1e9).astype(np.float32)
            mask = mask[:, None, None, :]
        for w in self.layers:
            qkv = x @ w["qkv"] + w["qkv.b"]
            q, k, v = (qkv[..., i * width:(i + 1) * width].reshape(b, n, heads, size).transpose(0, 2, 1, 3)
                       for i in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale
            if mask is not None:
                scores += mask
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, width)
            x = _layer_norm(context @ w["out"] + w["out.b"] + x, w["ln1.g"], w["ln1.b"])
            up = _gelu(x @ w["up"] + w["up.b"])
            x = _layer_norm(up @ w["down"] + w["down.b"] + x, w["ln2.g"], w["ln2.b"])
        return x if lengths is not None else x[0]


@lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int, size: int) -> Reader:
    return Reader(path)


def load_reader(path: Path | None = None) -> Reader:
    """The reader of `path` (the bundled one by default), read once per file and shared."""
    path = Path(path or READER_FILE)
    try:
        st = path.stat()
    except OSError as exc:
        raise ReaderError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return _load(str(path), st.st_mtime_ns, st.st_size)


def quantize(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and one float32 scale per row (symmetric)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    scale = np.abs(matrix).max(1) / 127.0
    scale[scale == 0] = 1.0
    return np.round(matrix / scale[:, None]).astype(np.int8), scale.astype(np.float32)
