"""Benchmark the core: validate (library and a generated 1,000-node scenario) and start-up.

    python bench/bench_core.py

Baselines in the same run: PyYAML's C safe_load of the same text (parsing alone), and a bare
`python -c pass` start-up. Prints medians of repeated runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import yaml  # noqa: E402

from scenario_gen import generate  # noqa: E402
from trainer.cli.validate import validate_paths  # noqa: E402
from trainer.library import load_rubric_set, rubric_folders  # noqa: E402
from trainer.scenario.compiler import compile_text  # noqa: E402


def median_time(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    print(f"python {sys.version.split()[0]}, {Path('/proc/cpuinfo').read_text().count('processor') if Path('/proc/cpuinfo').exists() else '?'} cpus")
    library = ROOT / "scenarios"
    files = sorted(library.glob("*.yaml"))
    t_lib = median_time(lambda: validate_paths([str(library)]), repeat=5)
    texts = [f.read_text() for f in files]
    t_lib_yaml = median_time(lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts], repeat=5)
    print(f"validate library ({len(files)} scenarios): {t_lib * 1000:.0f} ms   "
          f"[baseline yaml.CSafeLoader parse only: {t_lib_yaml * 1000:.0f} ms, ratio {t_lib / t_lib_yaml:.1f}x]")

    rubrics, _ = load_rubric_set(rubric_folders([library]))
    text = generate(1000, variables=5)
    t_big = median_time(lambda: compile_text(text, "generated-1000.yaml", rubrics), repeat=5)
    t_big_yaml = median_time(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeat=5)
    scenario, diags = compile_text(text, "generated-1000.yaml", rubrics)
    assert scenario is not None, [d.render() for d in diags][:3]
    print(f"validate generated 1,000-node scenario ({len(text) // 1024} KiB): {t_big * 1000:.0f} ms   "
          f"[baseline yaml.CSafeLoader parse only: {t_big_yaml * 1000:.0f} ms, ratio {t_big / t_big_yaml:.1f}x]")

    with tempfile.TemporaryDirectory() as home:
        env = {"PEER_TRAINER_HOME": home, "PATH": "/usr/bin:/bin"}
        t_help = median_time(lambda: subprocess.run([sys.executable, "-m", "trainer", "--help"], cwd=ROOT, env=env,
                                                    capture_output=True, check=True), repeat=7)
        t_bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True), repeat=7)
    print(f"peer-trainer --help start-up: {t_help * 1000:.0f} ms   [baseline python -c pass: {t_bare * 1000:.0f} ms]")


if __name__ == "__main__":
    main()
