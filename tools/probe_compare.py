"""Judge a probe file (JSON lines of prompt, text and the writer's flags and met) with the product, the
peer's line passed as the app passes it, and print where the two disagree.

    python tools/probe_compare.py tools/probes/critical-2026-12-05.jsonl [--flags-only]
    python tools/probe_compare.py tools/probes/risk-told-2026-12-05.jsonl --expect harm-risk-dismissed

The probe files were written and labelled blind by helpers who read only domain.md and the labelling
conventions (docs/scoring.md, "Probes written blind"). They are probes, not held out: rubric fixes were
made from what they showed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainer.scoring.rubrics import bundled_rubric_set  # noqa: E402
from trainer.scoring.scorer import Scorer  # noqa: E402

NOT_LABELLED = {"closed-questions", "long-self-disclosure"}  # counted from a response's shape, not judged here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--flags-only", action="store_true", help="compare flags, not criteria")
    parser.add_argument("--expect", metavar="FLAG", help="every item should raise FLAG (a file without labels)")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    scorer = Scorer(bundled_rubric_set())
    differ, found = 0, Counter()
    for n, item in enumerate(items):
        j = scorer.judge(item["text"], ["peer-core"], prompt=item.get("prompt") or None)
        got, met = set(j.flag_ids) - NOT_LABELLED, set(j.met_ids)
        if args.expect:
            found[item.get("kind", "")] += args.expect in got
            if args.expect in got:
                continue
            notes = [f"missed {args.expect}"]
        else:
            want = set(item.get("flags", [])) - NOT_LABELLED
            notes = [f"{sign}{x}" for sign, xs in (("+", got - want), ("-", want - got)) for x in sorted(xs)]
            if not args.flags_only:
                want_met = set(item.get("met", []))
                notes += [f"{sign}{x}" for sign, xs in (("+", met - want_met), ("-", want_met - met)) for x in sorted(xs)]
            if not notes:
                continue
        differ += 1
        print(f"[{n}] {' '.join(notes)}\n    peer: {item.get('prompt', '')}\n    reply: {item['text']}")
    if args.expect:
        kinds = Counter(item.get("kind", "") for item in items)
        for kind in sorted(kinds):
            print(f"{kind}: {found[kind]} of {kinds[kind]} raise {args.expect}")
    print(f"{len(items)} items, {differ} judged differently (+ raised or met by the product only, - by the writer only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
