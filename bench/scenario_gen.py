"""Generated scenarios of a chosen size, for benchmarks: valid, branching, with variables and free text."""

from __future__ import annotations

import random


def generate(nodes: int, variables: int = 3, seed: int = 1) -> str:
    """A valid scenario with `nodes` nodes: layered choice nodes, every 7th a free-text turn, 3 endings."""
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(variables)]
    out = [
        f"id: generated-{nodes}",
        f"title: Generated {nodes}",
        "version: 1",
        "themes: [role-modeling]",
        "competencies: [engages-peers]",
        "estimated_minutes: 20",
        "hour_category: peer-specific",
        "characters:",
        "  pat: {name: Pat}",
        "variables:",
    ]
    # Like real scenarios: a few small counters (rapport, trust) and the rest yes/no memories.
    ints = names[:2]
    bools = names[2:]
    for name in ints:
        out.append(f"  {name}: {{type: int, default: 0, min: -3, max: 3}}")
    for name in bools:
        out.append(f"  {name}: {{type: bool, default: false}}")
    out += ["start: n0", "nodes:"]
    body = nodes - 3
    for i in range(body):
        out.append(f"  n{i}:")
        out.append("    lines:")
        out.append(f"      - pat: Line {i}, with some words to read.")
        if ints:
            out.append(f"      - {{pat: 'Remembered {i}.', if: {rng.choice(ints)} > 1}}")
        if bools and i % 5 == 4:
            out.append(f"      - {{pat: 'You said that before.', if: {rng.choice(bools)}}}")
        nxt = [j for j in (i + 1, i + 2, i + 3) if j < body] or ["good"]
        if i % 7 == 6:
            out += [
                "    respond:",
                "      rubrics: [peer-core]",
                "      routes:",
                "        - {flag: critical, goto: harmful}",
                f"        - {{score: {{min: 0.5}}, goto: {_ref(nxt[0])}}}",
                f"        - goto: {_ref(nxt[-1])}",
            ]
            continue
        out.append("    choices:")
        for k, j in enumerate(nxt):
            out.append(f"      - text: Choice {k} of {i}.")
            if ints and i % 4 == 0 and k < 2:
                out.append(f"        effects: {{{rng.choice(ints)}: {'+1' if k == 0 else '-1'}}}")
            elif bools and i % 9 == 0 and k == 1:
                out.append(f"        effects: {{{rng.choice(bools)}: true}}")
            if k == 2 and ints:
                out.append(f"        if: {rng.choice(ints)} >= -2")
            out.append(f"        goto: {_ref(j)}")
        if i % 11 == 10:
            out.append("      - text: Wrap up.")
            out.append("        goto: poor")
    out += ["  good:", "    ending: exemplary", "  poor:", "    ending: poor", "  harmful:", "    ending: harmful"]
    return "\n".join(out) + "\n"


def _ref(j) -> str:
    return j if isinstance(j, str) else f"n{j}"
