"""How the product credits replies typed at the bundled library's typed turns, criterion by criterion, on a probe
file of JSON lines (`turn`: "scenario-id:node-id", `text`, `met`: the turn rubric's criteria a trainer would
credit, `flags`: flags a trainer would raise, `kind`: "good", "partial" or "poor"). Each reply is judged as the app
judges it there (`tools/turn_probe.py` does the same for the scope flags); the figures are per criterion of the
turns' own rubrics (not `peer-core`), and per flag for the flags the file labels.

    python tools/turn_criteria_probe.py tools/probes/self-disclosure-a-2026-12-06.jsonl
    python tools/turn_criteria_probe.py FILE --show           # each disagreement; not for a *-blind-* file

Aggregate figures only unless --show is given: the `*-blind-*` file measures the rubrics, and a phrase written from
what it shows would no longer be measured by it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.library import load_library, make_scorer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--show", action="store_true", help="list each reply judged otherwise than labelled")
    args = ap.parse_args()
    if args.show and "-blind-" in args.file.name:
        ap.error("a blind file is measured in aggregate only")
    lib = load_library([ROOT / "scenarios"])
    scorer = make_scorer(lib.rubrics)
    items = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    labelled_flags = {f for item in items for f in item.get("flags", ())}
    counts: dict[str, Counter] = {}
    scores: dict[str, list[float]] = {}
    shown: list[str] = []
    for number, item in enumerate(items, 1):
        sid, nid = item["turn"].split(":")
        if sid not in lib.scenarios:
            print(f"line {number}: no scenario '{sid}' in the library (run 'peer-trainer validate')", file=sys.stderr)
            return 1
        scenario = lib.scenarios[sid]
        node = scenario.nodes[nid]
        judged = scorer.judge(item["text"], prompt=scenario.peer_line(nid), **scenario.judge_options(nid))
        own = [r for r in node.respond.rubrics if r != "peer-core"]
        criteria = {c.id for c in judged.criteria if c.rubric in own}
        said = ({c.id for c in judged.criteria if c.rubric in own and c.met}
                | (set(judged.flag_ids) & labelled_flags))
        want = (set(item.get("met", ())) & criteria) | set(item.get("flags", ()))
        for label in criteria | labelled_flags:
            c = counts.setdefault(label, Counter())
            if label in said or label in want:
                c["tp" if label in said and label in want else "fp" if label in said else "fn"] += 1
        scores.setdefault(item["kind"], []).append(judged.score)
        if args.show and said != want:
            extra, missing = sorted(said - want), sorted(want - said)
            shown.append(f"{number} {item['turn']} {item['kind']} +{extra} -{missing} {judged.score:.2f} | {item['text']}")
    print(args.file.name)
    for kind in sorted(scores):
        s = sorted(scores[kind])
        print(f"  {kind:8} {len(s):4} replies, median score {s[len(s) // 2]:.2f}")
    for label in sorted(counts):
        c = counts[label]
        p = c["tp"] / max(1, c["tp"] + c["fp"])
        r = c["tp"] / max(1, c["tp"] + c["fn"])
        print(f"    {label:24} {c['tp']:4} found {c['fp']:4} false {c['fn']:4} missed  P {p:.2f} R {r:.2f}")
    for row in shown:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
