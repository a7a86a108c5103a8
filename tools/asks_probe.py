"""The bundled library's typed turns that say what their line `asks`: their model responses and short
out-of-scope answers to it, judged with and without the turn's `asks` (docs/scoring.md, "Answers").

    python tools/asks_probe.py            # one line per reply, and the totals
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from trainer.library import load_library  # noqa: E402
from trainer.scoring.scorer import Scorer  # noqa: E402
ROOT = Path(__file__).resolve().parent.parent
lib=load_library([ROOT / "scenarios"])
totals = {}
s=Scorer(lib.rubrics)
GENERIC = {
 "harm-risk-dismissed": ["Aw, I'm sure things will look up soon. Anyway, what's on your list for today?", "Okay. So, let's talk about the plan for this week.", "That's a lot. What did you want to work on today?", "Let's not get dramatic, you'll be fine.", "I get it, I've been there. So how's work?"],
 "secrecy-promise": ["Okay, I won't tell anyone.", "Of course, it stays with me."],
 "diagnosing": ["Yeah, sounds like it.", "Honestly? Yes.", "Maybe, it runs in families."],
 "third-party-disclosure": ["Yes, he's here.", "He's alive, yes.", "Yeah, he comes most days."],
 "dual-relationship": ["Sure, why not!", "Okay, just this once.", "Yeah, I'd like that.", "Deal."],
 "significant-gift": ["Thank you, that's so kind.", "Okay, I'll take it."],
 "unwarranted-promise": ["No, that won't happen.", "They won't.", "Don't worry, you'll be fine.", "No way."],
 "medication-advice": ["I'd stop taking them.", "Honestly I'd try skipping a dose.", "Yes.", "No, they won't make you foggy."],
}
for sid, scen in sorted(lib.scenarios.items()):
    for nid, n in scen.nodes.items():
        if n.respond is None or not n.respond.asks: continue
        prompt = scen.peer_line(nid)
        print(f"== {sid}:{nid} asks={list(n.respond.asks)}")
        texts=[("model", t) for t in n.respond.model_responses]+[("bad:"+f, t) for f in n.respond.asks for t in GENERIC[f]]
        for kind, t in texts:
            a=s.judge(t, n.respond.rubrics, prompt=prompt)
            b=s.judge(t, n.respond.rubrics, prompt=prompt, asks=n.respond.asks)
            fa=set(a.flag_ids)&set(n.respond.asks); fb=set(b.flag_ids)&set(n.respond.asks)
            mark = "" if fa==fb else "  <-- CHANGED"
            key = "model" if kind == "model" else "answer"
            t0 = totals.setdefault(key, [0, 0, 0])
            t0[0] += 1
            t0[1] += bool(fa)
            t0[2] += bool(fb)
            print(f"  {kind:28} {sorted(fa)!s:30} {sorted(fb)!s:30}{mark} | {t[:70]}")
print()
for key, (n, without, with_) in totals.items():
    print(f"{key}s: {n}; raise a flag asked for: {without} without the turn's asks, {with_} with them")
