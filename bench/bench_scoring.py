"""Scoring latency: the Scorer against a plain difflib matcher over the same shipped rubrics.

    python3 bench/bench_scoring.py [--responses 10000] [--baseline 200] [--seed 7]

Responses are built from the labelled development set: whole items, items joined into
longer turns, and items with typos injected at random (so the per-word fuzzy cache meets
words it has not seen). Each is judged against every shipped rubric, `scope` included,
and timed one by one, in the same run: with the reader (the product's default: rules, then
the fine-tuned model, reader.py), without it (rules and the semantic channel, `--no-reader`),
and with phrase rules alone. The difflib baseline slides each indicator, reduced to a plain
phrase (first alternative of each group, optional parts dropped), over the response's
words and compares with difflib.SequenceMatcher, as a first attempt at "fuzzy matching"
usually does; it is timed on an evenly spaced sample because it is slow.
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.scoring.calibration import load_labelled_file
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer


def make_responses(n: int, seed: int) -> list[str]:
    items, _ = load_labelled_file(ROOT / "tests" / "data" / "scoring" / "dev.yaml")
    held, _ = load_labelled_file(ROOT / "tests" / "data" / "scoring" / "heldout.yaml")
    texts = [i.text for i in items + held]
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        kind = rng.random()
        if kind < 0.4:
            out.append(rng.choice(texts))
        elif kind < 0.7:
            out.append(" ".join(rng.choice(texts) for _ in range(rng.randint(2, 4))))
        else:
            out.append(_typos(rng.choice(texts), rng))
    return out


def _typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4 and chars[i].isalpha():
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        elif op < 0.7:
            chars.insert(i, chars[i])
        elif len(chars) > 1:
            del chars[i]
    return "".join(chars)


def plain_phrase(indicator: str) -> str:
    """The first reading of an indicator with the pattern syntax removed, for the baseline."""
    text = re.sub(r"\([^()]*\)\?", " ", indicator)  # drop optional groups (innermost first)
    for _ in range(5):
        text = re.sub(r"\(([^()|]*)(\|[^()]*)?\)", r"\1", text)
    text = re.sub(r"\{[^}]*\}\??", " ", text)
    text = re.sub(r"\.\.\.\d?|[\^$*_?]", " ", text)
    return " ".join(text.lower().split())


class DifflibMatcher:
    """The naive approach: every phrase against every same-length window of words."""

    def __init__(self, rubric_set, threshold: float = 0.85):
        self.threshold = threshold
        self.phrases: list[tuple[str, str, list[str]]] = []
        for rubric in rubric_set:
            for c in rubric.criteria:
                for p in c.phrases:
                    self._add(c.id, p)
            for f in rubric.flags:
                for p in f.indicators:
                    self._add(f.id, p)

    def _add(self, owner: str, indicator: str) -> None:
        phrase = plain_phrase(indicator)
        if phrase:
            self.phrases.append((owner, phrase, phrase.split()))

    def judge(self, text: str) -> set[str]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        hits = set()
        matcher = difflib.SequenceMatcher(autojunk=False)
        for owner, phrase, parts in self.phrases:
            if owner in hits:
                continue
            n = len(parts)
            matcher.set_seq2(phrase)
            for i in range(max(1, len(words) - n + 1)):
                matcher.set_seq1(" ".join(words[i : i + n]))
                if matcher.real_quick_ratio() >= self.threshold and matcher.ratio() >= self.threshold:
                    hits.add(owner)
                    break
        return hits


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--responses", type=int, default=10_000)
    ap.add_argument("--baseline", type=int, default=200, help="responses timed with the difflib matcher")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    rubric_set = bundled_rubric_set()
    ids = [r for r in rubric_set.ids if r != "scope"]
    t0 = time.perf_counter()
    scorer = Scorer(rubric_set)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    scorer.reader_model()
    reader_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    channel = Scorer(rubric_set, reader=False)
    channel.semantic_index()
    bank_load = time.perf_counter() - t0
    rules_only = Scorer(rubric_set, semantic=False, reader=False)
    responses = make_responses(args.responses, args.seed)

    def timed(s) -> list[float]:
        out = []
        for text in responses:
            start = time.perf_counter_ns()
            s.judge(text, ids)
            out.append((time.perf_counter_ns() - start) / 1e6)
        return out

    rule_times = timed(rules_only)
    channel_times = timed(channel)
    times = timed(scorer)

    baseline = DifflibMatcher(rubric_set)
    step = max(1, len(responses) // max(1, args.baseline))
    sample = responses[::step][: args.baseline]
    base_times = []
    for text in sample:
        start = time.perf_counter_ns()
        baseline.judge(text)
        base_times.append((time.perf_counter_ns() - start) / 1e6)

    words = statistics.mean(len(t.split()) for t in responses)
    pieces = statistics.median(len(scorer.reader_model().tokenizer.encode(t)) for t in responses)
    print(f"rubrics: {', '.join(rubric_set.ids)} ({len(scorer.index.patterns)} compiled phrases; "
          f"difflib baseline: {len(baseline.phrases)} plain phrases)")
    print(f"responses: {len(responses)} (mean {words:.0f} words, median {pieces:.0f} word pieces); scorer built in "
          f"{build * 1000:.0f} ms, reader loaded in {reader_load * 1000:.0f} ms, semantic channel in {bank_load * 1000:.0f} ms")
    rows = [("rules only", rule_times), ("rules + semantic channel (--no-reader)", channel_times),
            ("product: rules + reader", times)]
    for name, values in rows:
        print(f"{name:40} median {statistics.median(values):7.3f} ms   p99 {percentile(values, 0.99):7.3f} ms   (n={len(values)})")
    med, p99 = statistics.median(times), percentile(times, 0.99)
    cmed, cp99 = statistics.median(channel_times), percentile(channel_times, 0.99)
    bmed, bp99 = statistics.median(base_times), percentile(base_times, 0.99)
    print(f"{'difflib baseline':40} median {bmed:7.3f} ms   p99 {bp99:7.3f} ms   (n={len(base_times)}, evenly spaced sample)")
    print(f"ratio difflib / product:      median {bmed / med:.1f}x   p99 {bp99 / p99:.1f}x")
    print(f"ratio difflib / --no-reader:  median {bmed / cmed:.0f}x   p99 {bp99 / cp99:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
