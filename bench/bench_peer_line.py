"""What reading the peer's line costs a judged turn: the phrase rules alone, each probe reply judged alone and
then with the peer's line it answers (the answers' questions read in the line; `harm-risk-dismissed`'s risk
phrases are most of them), in the same run.

    python bench/bench_peer_line.py [--repeat N]

Figures and how they moved are in docs/benchmarks.md ("Scoring").
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402
from trainer.scoring.scorer import Scorer  # noqa: E402

PROBES = ("risk-told-c-2026-12-05.jsonl", "risk-told-d-2026-12-05.jsonl", "risk-told-e-2026-12-05.jsonl",
          "not-a-risk-2026-12-05.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the replies (default 3)")
    args = parser.parse_args()
    items = [json.loads(line) for name in PROBES
             for line in (ROOT / "tools" / "probes" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    scorer = Scorer(bundled_rubric_set(), semantic=False, reader=False)
    for item in items[:20]:  # warm the caches
        scorer.judge(item["text"], ["peer-core"], prompt=item["prompt"])
    times: dict[str, list[float]] = {"alone": [], "with the peer's line": []}
    for _ in range(args.repeat):
        for item in items:  # the two in turn, so that both see the same load
            start = time.perf_counter()
            scorer.judge(item["text"], ["peer-core"])
            times["alone"].append(time.perf_counter() - start)
            start = time.perf_counter()
            scorer.judge(item["text"], ["peer-core"], prompt=item["prompt"])
            times["with the peer's line"].append(time.perf_counter() - start)
    questions = sum(len(a.questions) for r in scorer.rubric_set for f in r.flags for a in f.answers)
    print(f"{len(items)} probe replies x {args.repeat}; {questions} answer questions in the shipped rubrics; rules alone")
    for label, ts in times.items():
        ts.sort()
        print(f"{label:22s} median {statistics.median(ts) * 1000:6.3f} ms   p99 {ts[int(len(ts) * 0.99)] * 1000:6.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
