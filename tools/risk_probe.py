"""How the product reads a risk told in the peer's line and the reply to it, on a probe file of JSON lines
(`prompt`, `text`, and `dismissed`: whether the reply goes past the risk; a file of lines that only sound
like a risk has no `dismissed` and every reply counts as not going past one).

    python tools/risk_probe.py tools/probes/risk-told-blind-2026-12-05.jsonl
    python tools/risk_probe.py tools/probes/not-a-risk-blind-2026-12-05.jsonl
    python tools/risk_probe.py FILE --show missed|false|unrecognised

Prints aggregate figures only unless --show is given: the `*-blind-*` files measure the rules, and a rule
written from what they show would no longer be measured by them (docs/scoring.md, "Session 23").
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
from trainer.scoring.text import tokenize  # noqa: E402

FLAG = "harm-risk-dismissed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--show", choices=("missed", "false", "unrecognised"), help="print those pairs too")
    args = parser.parse_args()
    items = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    scorer = Scorer(bundled_rubric_set())
    count: Counter = Counter()
    for item in items:
        recognised = any(flag == FLAG for _, flag, _ in scorer._questions(tokenize(item["prompt"]), {"scope"}))
        raised = FLAG in scorer.judge(item["text"], ["peer-core"], prompt=item["prompt"]).flag_ids
        dismissed = bool(item.get("dismissed", False))
        count["lines recognised as a risk"] += recognised
        count["replies going past it" if dismissed else "replies not going past one"] += 1
        count[("replies going past it" if dismissed else "replies not going past one") + ", flagged"] += raised
        show = {"missed": dismissed and not raised, "false": raised and not dismissed,
                "unrecognised": not recognised}.get(args.show or "", False)
        if show:
            print(f"peer: {item['prompt']}\n    reply: {item['text']}")
    print(f"{len(items)} pairs")
    for key in sorted(count):
        print(f"{count[key]:5d}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
