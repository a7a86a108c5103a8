"""Benchmark `test --explore`: the bundled library and a generated 200-node scenario with 5 variables.

    python bench/bench_explore.py

Baseline in the same run: static validation of the same scenarios (the graph checks without playing).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scenario_gen import generate  # noqa: E402
from trainer.authoring.explore import explore, report  # noqa: E402
from trainer.library import load_library, load_rubric_set, rubric_folders  # noqa: E402
from trainer.scenario.compiler import compile_text  # noqa: E402


def timed(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    t_load, lib = timed(lambda: load_library([ROOT / "scenarios"]), repeat=3)
    severity = lib.flag_severity

    def explore_all():
        return [explore(s, flag_severity=severity) for s in lib.scenarios.values()]

    t_lib, results = timed(explore_all, repeat=3)
    states = sum(r.states for r in results)
    print(f"explore library ({len(results)} scenarios): {t_lib * 1000:.0f} ms, {states} states "
          f"({t_lib / max(states, 1) * 1e6:.0f} us/state)   [baseline load+validate: {t_load * 1000:.0f} ms]")

    rubrics, _ = load_rubric_set(rubric_folders([ROOT / "scenarios"]))
    text = generate(200, variables=5)
    t_compile, (scenario, diags) = timed(lambda: compile_text(text, "generated-200.yaml", rubrics), repeat=3)
    assert scenario is not None, [d.render() for d in diags][:3]
    t_gen, result = timed(lambda: explore(scenario, flag_severity=severity), repeat=1)
    rep = report(scenario, result.coverage)
    print(f"explore generated 200 nodes / 5 variables: {t_gen:.2f} s, {result.states} states "
          f"({'complete' if result.complete else 'state limit reached'}; {t_gen / max(result.states, 1) * 1e6:.0f} us/state; "
          f"nodes {rep.nodes[0]}/{rep.nodes[1]}, choices {rep.choices[0]}/{rep.choices[1]})   "
          f"[baseline validate: {t_compile * 1000:.0f} ms]")


if __name__ == "__main__":
    main()
