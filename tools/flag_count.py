"""Count one red flag over the probe files, each reply judged as the app judges it: with the peer's line
(`prompt`) or at the library turn it was written for (`turn`: its rubrics, scope, `asks` and lines).

    python tools/flag_count.py harm-risk-dismissed                 # every file in tools/probes/
    python tools/flag_count.py minimizing tools/probes/minimizing-2026-12-05.jsonl --show

A reply is labelled with the flag when its `flags` list it, or (the risk files) when `dismissed` is true;
`risk-told-2026-12-05.jsonl`, written before that key, is all replies going past a risk. Prints, per file,
the flag raised where labelled (found), not raised where labelled (missed), raised where not (false).
`--show` lists the disagreements, and refuses a `*-blind-*` file, which is measured in aggregate only.
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


def labelled(flag: str, name: str, item: dict) -> bool:
    if "flags" in item:
        return flag in item["flags"]
    if flag != "harm-risk-dismissed":
        return False
    if "dismissed" in item:
        return bool(item["dismissed"])
    return name.startswith("risk-told-2026-12-05")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("flag")
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--show", action="store_true", help="list the replies where the product and the label differ")
    args = ap.parse_args()
    files = args.files or sorted((ROOT / "tools" / "probes").glob("*.jsonl"))
    if args.show and any("-blind-" in f.name for f in files):
        ap.error("a blind file is measured in aggregate only; name the other files")
    lib = load_library([ROOT / "scenarios"])
    scorer = make_scorer(lib.rubrics)
    total: Counter = Counter()
    for path in files:
        count: Counter = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if "turn" in item:
                sid, nid = item["turn"].split(":")
                scenario = lib.scenarios[sid]
                node = scenario.nodes[nid]
                prompt = scenario.peer_line(nid)
                judged = scorer.judge(item["text"], prompt=prompt, **scenario.judge_options(nid))
            else:
                prompt = item.get("prompt") or None
                judged = scorer.judge(item["text"], ["peer-core"], prompt=prompt)
            raised, want = args.flag in judged.flag_ids, labelled(args.flag, path.name, item)
            count["found" if raised and want else "missed" if want else "false" if raised else "clear"] += 1
            if args.show and raised != want:
                print(f"  [{'false' if raised else 'missed'}] peer: {(prompt or '')[-120:]!r}\n      reply: {item['text']!r}")
        total.update(count)
        print(f"{path.name:44s} found {count['found']:4d}  missed {count['missed']:4d}  false {count['false']:4d}  "
              f"of {sum(count.values())}")
    print(f"{'all':44s} found {total['found']:4d}  missed {total['missed']:4d}  false {total['false']:4d}  "
          f"of {sum(total.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
