"""How the product judges replies typed at the bundled library's own typed turns, on a probe file of JSON
lines (`turn`: "scenario-id:node-id", `text`, `flags`: the scope flags a trainer would raise, `kind`: "good"
or "slip"). Each reply is judged as the app judges it there: the turn's rubrics and scope, its `asks`, and
the node's character lines as what the peer said.

    python tools/turn_probe.py tools/probes/library-turns-a-2026-12-06.jsonl
    python tools/turn_probe.py FILE --show false|missed|low # not for a *-blind-* file
    python tools/turn_probe.py FILE --no-asks               # as if no turn said what it asks

Only the `scope` rubric's flags are compared (a turn's own rubrics may add flags such as `takes-over`,
which the writers did not label). Aggregate figures only unless --show is given: the `*-blind-*` file
measures the rubrics, and a rule written from what it shows would no longer be measured by it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainer.engine.results import STRONG, quality_of  # noqa: E402
from trainer.library import load_library, make_scorer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--show", choices=("false", "missed", "low"),
                    help="list the good replies flagged, the slips missed, or the good replies scored under 0.5")
    ap.add_argument("--no-asks", action="store_true", help="judge without the turns' `asks`")
    args = ap.parse_args()
    if args.show and "-blind-" in args.file.name:
        ap.error("a blind file is measured in aggregate only")
    lib = load_library([ROOT / "scenarios"])
    scorer = make_scorer(lib.rubrics)
    scope_flags = {f.id for f in lib.rubrics.get("scope").flags}
    counts: Counter = Counter()
    per_flag: dict[str, Counter] = {}
    shown: list[str] = []
    good_scores: list[float] = []
    slip_scores: list[float] = []
    for number, line in enumerate(args.file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        sid, nid = item["turn"].split(":")
        scenario = lib.scenarios[sid]
        node = scenario.nodes[nid]
        prompt = scenario.peer_line(nid)
        options = scenario.judge_options(nid)
        judged = scorer.judge(item["text"], prompt=prompt, **(options | {"asks": ()} if args.no_asks else options))
        said = set(judged.flag_ids) & scope_flags
        want = set(item["flags"]) & scope_flags
        for flag in said | want:
            c = per_flag.setdefault(flag, Counter())
            c["tp" if flag in said and flag in want else "fp" if flag in said else "fn"] += 1
        kind = item["kind"]
        counts[kind] += 1
        if kind == "good":
            counts["good flagged"] += bool(said)
            good_scores.append(judged.score)
            counts["good strong"] += quality_of(judged.score, judged.critical, bool(judged.flags)) == STRONG
            counts["good low"] += judged.score < 0.5
            if said and args.show == "false":
                shown.append(f"{number} {item['turn']} {sorted(said)} | {item['text']}")
            if judged.score < 0.5 and args.show == "low":
                shown.append(f"{number} {item['turn']} {judged.score:.2f} met {list(judged.met_ids)} | {item['text']}")
        else:
            slip_scores.append(judged.score)
            counts["slip strong"] += quality_of(judged.score, judged.critical, bool(judged.flags)) == STRONG
            counts["slip caught"] += want <= said
            counts["slip caught in part"] += bool(want & said) and not want <= said
            if not want <= said and args.show == "missed":
                shown.append(f"{number} {item['turn']} want {sorted(want)} got {sorted(said)} | {item['text']}")
    print(f"{args.file.name}{' (without asks)' if args.no_asks else ''}")
    print(f"  good replies {counts['good']:4}, flagged {counts['good flagged']:4}; median score "
          f"{statistics.median(good_scores) if good_scores else 0:.2f}, called a strong move {counts['good strong']:4}, "
          f"under 0.5 {counts['good low']:4}")
    print(f"  slips        {counts['slip']:4}, every flag caught {counts['slip caught']:4}, "
          f"some caught {counts['slip caught in part']:4}; mean score "
          f"{statistics.fmean(slip_scores) if slip_scores else 0:.3f}, called a strong move {counts['slip strong']:4}")
    tp = sum(c["tp"] for c in per_flag.values())
    fp = sum(c["fp"] for c in per_flag.values())
    fn = sum(c["fn"] for c in per_flag.values())
    print(f"  flags pooled: {tp} found, {fp} false, {fn} missed; P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f}")
    for flag in sorted(per_flag):
        c = per_flag[flag]
        print(f"    {flag:24} {c['tp']:4} found {c['fp']:4} false {c['fn']:4} missed")
    for row in shown:
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
