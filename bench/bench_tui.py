"""How fast the trainee's app feels: cold start to the first interactive screen, and the time
from a trainee's move to the coach's feedback on screen.

    python3 bench/bench_tui.py [--runs N]

Prints figures; docs/tui.md records them. Uses the bundled library and a throwaway data
folder. Timings are wall clock on this machine, so compare runs, not machines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIO = "stigma-why-bother"
RESPONSE = "That must have stung, hearing that from your cousin. What kind of work have you enjoyed?"

COLD_START_CHILD = r"""
import asyncio, sys, time
t_import = time.perf_counter()
from trainer.tui.app import make_app
t_app_imported = time.perf_counter()

async def main():
    app = make_app(data_dir=sys.argv[1])
    t_made = time.perf_counter()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen"
        t_ready = time.time()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.library is not None and app.library.scenarios
        t_library = time.time()
    print(t_ready, t_library, t_app_imported - t_import, t_made - t_app_imported)

asyncio.run(main())
"""


def cold_start(runs: int) -> dict[str, list[float]]:
    """A fresh interpreter each run, headless: from process launch until the scenarios, rubrics and
    scorer have loaded (they load in a worker behind the sign-in screen)."""
    out: dict[str, list[float]] = {"total": [], "library": [], "import": [], "store": []}
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix="pt-bench-")
        try:
            launched = time.time()
            result = subprocess.run([sys.executable, "-c", COLD_START_CHILD, data], capture_output=True, text=True,
                                    cwd=ROOT, check=True)
            ready, library, imported, made = (float(x) for x in result.stdout.split())
            out["total"].append(ready - launched)
            out["library"].append(library - launched)
            out["import"].append(imported)
            out["store"].append(made)
        finally:
            shutil.rmtree(data, ignore_errors=True)
    return out


def tmux_new_session(name: str, command: str, attempts: int = 10) -> None:
    """Start a detached 80x24 session; retry while a tmux server that just lost its last session exits."""
    for _ in range(attempts):
        if subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command],
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"tmux could not start session {name}")


def cold_start_tmux(runs: int) -> list[float]:
    """The same in a real terminal: launch in tmux until 'Who is practising?' is on screen."""
    if shutil.which("tmux") is None:
        return []
    times = []
    for i in range(runs):
        data = tempfile.mkdtemp(prefix="pt-bench-")
        name = f"pt-bench-{os.getpid()}-{i}"
        try:
            launched = time.perf_counter()
            tmux_new_session(name, f"cd {ROOT} && PEER_TRAINER_HOME={data} {sys.executable} -m trainer")
            while True:
                screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
                if "Who is practising?" in screen:
                    times.append(time.perf_counter() - launched)
                    break
                if time.perf_counter() - launched > 30:
                    raise RuntimeError("the app did not start within 30 s")
                time.sleep(0.005)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
            shutil.rmtree(data, ignore_errors=True)
    return times


class Tmux:
    def __init__(self, name: str):
        self.name = name

    def send(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name] + (["-l"] if literal else []) + list(keys), check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def until(self, predicate, timeout: float = 20.0) -> float:
        """Seconds until predicate(screen) holds, polling every 2 ms."""
        start = time.perf_counter()
        while True:
            if predicate(self.screen()):
                return time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                raise RuntimeError("timed out; the screen was:\n" + self.screen())
            time.sleep(0.002)


def feedback_latency(runs: int) -> dict[str, list[float]]:
    """In a real terminal: a choice key to the coach's note, and ctrl+s on typed words to the judged note.

    The clock starts just before `tmux send-keys` and stops when `capture-pane` shows the note,
    so it includes tmux's own round trips (a few ms).
    """
    out: dict[str, list[float]] = {"choice": [], "typed": [], "judge only": []}
    if shutil.which("tmux") is None:
        return out
    from trainer.library import load_library, make_scorer

    library = load_library()
    if SCENARIO not in library.scenarios:
        raise SystemExit(f"the bundled library does not load '{SCENARIO}'")
    scorer = make_scorer(library.rubrics)
    rubrics = library.scenarios[SCENARIO].nodes["opens_up"].respond.rubrics
    data = tempfile.mkdtemp(prefix="pt-bench-")
    term = Tmux(f"pt-bench-latency-{os.getpid()}")
    try:
        tmux_new_session(term.name, f"cd {ROOT} && PEER_TRAINER_HOME={data} {sys.executable} -m trainer")
        steps = [("n", "New trainee"), ("Bench", None), ("Enter", None), ("Enter", "Search scenarios"), ("/", None),
                 ("why bother", None), ("Enter", "Why bother?"), ("Enter", "Prebrief"), ("p", "My case manager")]
        for key, wait in steps:
            term.send(key, literal=key in ("Bench", "why bother"))
            if wait:
                term.until(lambda s, w=wait: w in s)
            time.sleep(0.3)
        for _ in range(runs):
            t = time.perf_counter()
            term.send("1")
            term.until(lambda s: "Naming the feeling" in s)
            out["choice"].append(time.perf_counter() - t)
            term.until(lambda s: "^s Send" in s)
            term.send(RESPONSE, literal=True)
            term.until(lambda s: "What kind of work" in s)
            t = time.perf_counter()
            term.send("C-s")
            term.until(lambda s: "You said:" in s)
            out["typed"].append(time.perf_counter() - t)
            t = time.perf_counter()
            scorer.judge(RESPONSE, rubrics)
            out["judge only"].append(time.perf_counter() - t)
            time.sleep(0.2)
            term.send("C-r")
            time.sleep(0.3)
            term.send("C-r")
            term.until(lambda s: "pick a reply (1-3" in s and "You said:" not in s)
            time.sleep(0.3)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", term.name], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)
    return out


def describe(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:<34} (not measured)"
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    return f"{label:<34} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    cold = cold_start(args.runs)
    print(describe("cold start to sign-in (tmux)", cold_start_tmux(args.runs)))
    print(describe("cold start to scenarios loaded", cold["library"]))
    print(describe("  import trainer.tui.app", cold["import"]))
    print(describe("  open the store", cold["store"]))
    latency = feedback_latency(args.runs)
    print(describe("choice key to coach note", latency["choice"]))
    print(describe("ctrl+s to judged coach note", latency["typed"]))
    print(describe("  of which: scorer.judge", latency["judge only"]))


if __name__ == "__main__":
    main()
