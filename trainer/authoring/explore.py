"""Every path through a scenario: exhaustive exploration and seeded random playthroughs.

The explorer drives the real engine, so what it finds is what a trainee would meet.
Free-text turns are driven by synthetic judgments: one per score band edge, per flag
and per criterion that the routes mention, so every route that can be taken is taken.
States are memoized on what can change the future (node, variables, once-only choices
used, and the visit counts that conditions read), which keeps exploration finite and fast.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Iterator

from trainer.engine.engine import Engine, EngineError
from trainer.engine.state import State
from trainer.scenario.model import Node, Scenario
from trainer.scoring.judgment import Judgment

MAX_STATES = 100_000
MAX_RANDOM_STEPS = 500


@dataclass
class Coverage:
    """Hit counts for nodes, choices (`node/choice`) and routes (`node/route-N`)."""

    nodes: Counter = field(default_factory=Counter)
    choices: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)

    def add_state(self, state: State) -> None:
        for nid, n in state.visits.items():
            self.nodes[nid] += 1 if n else 0
        for entry in state.transcript:
            if entry["kind"] == "choice":
                self.choices[f"{entry['node']}/{entry['choice']}"] += 1
            elif entry["kind"] == "response":
                self.routes[f"{entry['node']}/route-{entry['route']}"] += 1


def all_items(scenario: Scenario) -> tuple[list[str], list[str], list[str]]:
    nodes = list(scenario.nodes)
    choices = [f"{nid}/{c.key}" for nid, n in scenario.nodes.items() for c in n.choices]
    routes = [f"{nid}/route-{r.index}" for nid, n in scenario.nodes.items() if n.respond for r in n.respond.routes]
    return nodes, choices, routes


@dataclass
class CoverageReport:
    nodes: tuple[int, int]  # (covered, total)
    choices: tuple[int, int]
    routes: tuple[int, int]
    missed_nodes: list[str]
    missed_choices: list[str]
    missed_routes: list[str]

    @staticmethod
    def percent(pair: tuple[int, int]) -> float:
        return 100.0 if pair[1] == 0 else 100.0 * pair[0] / pair[1]

    @property
    def lowest(self) -> float:
        return min(self.percent(self.nodes), self.percent(self.choices), self.percent(self.routes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": {"covered": self.nodes[0], "total": self.nodes[1], "percent": round(self.percent(self.nodes), 1)},
            "choices": {"covered": self.choices[0], "total": self.choices[1], "percent": round(self.percent(self.choices), 1)},
            "routes": {"covered": self.routes[0], "total": self.routes[1], "percent": round(self.percent(self.routes), 1)},
            "missed": {"nodes": self.missed_nodes, "choices": self.missed_choices, "routes": self.missed_routes},
        }


def report(scenario: Scenario, coverage: Coverage) -> CoverageReport:
    nodes, choices, routes = all_items(scenario)
    missed_n = [n for n in nodes if not coverage.nodes.get(n)]
    missed_c = [c for c in choices if not coverage.choices.get(c)]
    missed_r = [r for r in routes if not coverage.routes.get(r)]
    return CoverageReport(
        (len(nodes) - len(missed_n), len(nodes)),
        (len(choices) - len(missed_c), len(choices)),
        (len(routes) - len(missed_r), len(routes)),
        missed_n,
        missed_c,
        missed_r,
    )


# --- synthetic judgments -------------------------------------------------------------------


def probe_judgments(node: Node, flag_severity=None) -> list[Judgment]:
    """Judgments that, between them, can take every route of a free-text node."""
    assert node.respond is not None
    severity_of = flag_severity or (lambda _id: None)
    scores = {0.0, 1.0}
    flags: set[str] = set()
    met: set[str] = set()
    for route in node.respond.routes:
        if route.band:
            lo, hi = route.band
            scores.update({lo, max(lo, hi - 1e-6), (lo + hi) / 2})
        if route.flag:
            flags.add(route.flag)
        if route.condition is not None:
            for kind, ident in route.condition.ids:
                (flags if kind == "flag" else met).add(ident)
            for literal in _numbers(route.condition.tree):
                if 0.0 <= literal <= 1.0:
                    scores.update({literal, max(0.0, literal - 1e-6), min(1.0, literal + 1e-6)})
    flag_sets: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]  # (soft, critical)
    for flag in sorted(flags):
        if flag == "critical":
            flag_sets.append(((), ("synthetic-critical",)))
        elif flag == "any":
            flag_sets.append((("synthetic-soft",), ()))
        elif (severity_of(flag) or "soft") == "critical":
            flag_sets.append(((), (flag,)))
        else:
            flag_sets.append(((flag,), ()))
    met_sets = [()] + [(m,) for m in sorted(met)]
    out = []
    for score in sorted(scores):
        for soft, critical in flag_sets:
            for m in met_sets:
                out.append(Judgment.synthetic_result(score, flags=soft, critical=critical, met=m))
    return out


def _numbers(tree: tuple) -> Iterator[float]:
    if tree[0] == "num":
        yield float(tree[1])
    elif tree[0] == "unary":
        yield from _numbers(tree[2])
    elif tree[0] == "bin":
        yield from _numbers(tree[2])
        yield from _numbers(tree[3])


def moves(engine: Engine, state: State, flag_severity=None, probes: dict | None = None) -> list[tuple[str, Any]]:
    """Every distinct move from this state: ("choose", n) or ("judged", Judgment)."""
    turn = engine.turn(state)
    if turn.kind == "choice":
        return [("choose", i) for i in range(1, len(turn.choices) + 1)]
    if turn.kind == "respond":
        if probes is None:
            return [("judged", j) for j in probe_judgments(turn.node, flag_severity)]
        if turn.node.id not in probes:
            probes[turn.node.id] = [("judged", j) for j in probe_judgments(turn.node, flag_severity)]
        return probes[turn.node.id]
    return []


def step(engine: Engine, state: State, move: tuple[str, Any]) -> State:
    kind, arg = move
    if kind == "choose":
        return engine.choose(state, arg)
    return engine.respond_judged(state, "(synthetic response)", arg)


# --- exhaustive exploration --------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # "dead-end" | "no-exit-loop" | "out-of-range" | "error"
    node: str
    message: str


@dataclass
class ExploreResult:
    scenario: str
    states: int
    complete: bool  # False when the state limit stopped it
    endings: Counter
    coverage: Coverage
    problems: list[Problem]

    def to_dict(self, scenario: Scenario) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "states": self.states,
            "complete": self.complete,
            "endings": dict(self.endings),
            "coverage": report(scenario, self.coverage).to_dict(),
            "problems": [p.__dict__ for p in self.problems],
        }


def _watched_nodes(scenario: Scenario) -> frozenset[str]:
    watched: set[str] = set()
    for node in scenario.nodes.values():
        exprs = [line.condition for line in node.lines] + [c.condition for c in node.choices]
        exprs += [e.expr for e in node.effects]
        exprs += [e.expr for c in node.choices for e in c.effects]
        if node.respond:
            exprs += [r.condition for r in node.respond.routes]
            exprs += [e.expr for r in node.respond.routes for e in r.effects]
        for expr in exprs:
            if expr is not None:
                watched |= expr.nodes
    return frozenset(watched)


def state_key(state: State, watched: frozenset[str]) -> tuple:
    return (
        state.node,
        state.finished,
        tuple(sorted(state.variables.items())),
        tuple(sorted(set(state.used_once))),
        tuple(sorted((n, c) for n, c in state.visits.items() if n in watched)),
    )


def explore(scenario: Scenario, *, flag_severity=None, max_states: int = MAX_STATES) -> ExploreResult:
    engine = Engine(scenario, keep_history=False)
    watched = _watched_nodes(scenario)
    coverage = Coverage()
    endings: Counter = Counter()
    problems: list[Problem] = []
    out_of_range_seen: set[tuple[str, Any]] = set()
    probes: dict[str, list] = {}  # the same judgment objects every time, so the engine's cache works
    edges: dict[tuple, set[tuple]] = {}
    terminal: set[tuple] = set()
    try:
        start = engine.start()
    except EngineError as exc:
        return ExploreResult(scenario.id, 0, True, endings, coverage, [Problem("dead-end", scenario.start, str(exc))])
    for nid in start.visits:
        coverage.nodes[nid] += 1
    start.transcript = []  # only each move's own entries matter here; copying history is the cost
    start_key = state_key(start, watched)
    seen = {start_key}
    queue = deque([(start, start_key)])
    _note_state(scenario, start, coverage, problems, out_of_range_seen)
    complete = True
    while queue:
        state, key = queue.popleft()
        if state.finished:
            endings[state.ending] += 1
            terminal.add(key)
            continue
        successors = edges.setdefault(key, set())
        for move in moves(engine, state, flag_severity, probes):
            try:
                new = step(engine, state, move)
            except EngineError as exc:
                problems.append(Problem("dead-end", state.node, f"after a move from '{state.node}': {exc}"))
                continue
            _note_move(new, state, coverage)
            new.transcript = []
            new_key = state_key(new, watched)
            successors.add(new_key)
            if new_key in seen:
                continue
            if len(seen) >= max_states:
                complete = False
                continue
            seen.add(new_key)
            if _note_state(scenario, new, coverage, problems, out_of_range_seen):
                queue.append((new, new_key))  # a state outside the declared ranges is reported, not followed
    if complete:
        problems.extend(_loops_without_exit(edges, terminal, start_key))
    return ExploreResult(scenario.id, len(seen), complete, endings, coverage, _dedupe(problems))


def _note_state(scenario: Scenario, state: State, coverage: Coverage, problems: list[Problem], seen: set) -> bool:
    """Report variables outside their declared range (once per variable and side); False if any is."""
    in_range = True
    for name, value in state.variables.items():
        var = scenario.variables[name]
        if var.type not in ("int", "float"):
            continue
        side = "below" if var.min is not None and value < var.min else "above" if var.max is not None and value > var.max else None
        if side:
            in_range = False
            if (name, side) not in seen:
                seen.add((name, side))
                problems.append(Problem("out-of-range", state.node,
                                        f"'{name}' reaches {value} at '{state.node}', outside [{var.min}, {var.max}]"))
    return in_range


def _note_move(new: State, old: State, coverage: Coverage) -> None:
    """Count what this move touched: the entries it added to the transcript and the nodes it entered."""
    for nid, count in new.visits.items():
        if count > old.visits.get(nid, 0):
            coverage.nodes[nid] += 1
    for entry in new.transcript[len(old.transcript):]:
        if entry["kind"] == "choice":
            coverage.choices[f"{entry['node']}/{entry['choice']}"] += 1
        elif entry["kind"] == "response":
            coverage.routes[f"{entry['node']}/route-{entry['route']}"] += 1


def _loops_without_exit(edges: dict[tuple, set[tuple]], terminal: set[tuple], start: tuple) -> list[Problem]:
    """States from which no ending can be reached, whatever the trainee does."""
    incoming: dict[tuple, list[tuple]] = {}
    for src, targets in edges.items():
        for t in targets:
            incoming.setdefault(t, []).append(src)
    can_end = set(terminal)
    queue = deque(terminal)
    while queue:
        k = queue.popleft()
        for src in incoming.get(k, ()):
            if src not in can_end:
                can_end.add(src)
                queue.append(src)
    stuck_nodes: dict[str, tuple] = {}
    for k in edges:
        if k not in can_end and edges[k]:
            stuck_nodes.setdefault(k[0], k)
    return [
        Problem("no-exit-loop", node, f"from '{node}' (with {_vars(k)}) no ending can be reached: the trainee loops forever")
        for node, k in sorted(stuck_nodes.items())
    ]


def _vars(key: tuple) -> str:
    return ", ".join(f"{n}={v}" for n, v in key[2]) or "no variables"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        k = (p.kind, p.node, p.message)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


# --- random playthroughs -------------------------------------------------------------------------


@dataclass
class RandomResult:
    scenario: str
    runs: int
    seed: int
    endings: Counter
    unfinished: int
    coverage: Coverage
    problems: list[Problem]

    def to_dict(self, scenario: Scenario) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "runs": self.runs,
            "seed": self.seed,
            "endings": dict(self.endings),
            "unfinished": self.unfinished,
            "coverage": report(scenario, self.coverage).to_dict(),
            "problems": [p.__dict__ for p in self.problems],
        }


def random_playthroughs(scenario: Scenario, runs: int, seed: int, *, flag_severity=None) -> RandomResult:
    """`runs` playthroughs choosing uniformly among the moves; the same seed gives the same runs."""
    rng = random.Random(seed)
    engine = Engine(scenario, keep_history=False)
    coverage = Coverage()
    endings: Counter = Counter()
    problems: list[Problem] = []
    probes: dict[str, list] = {}
    unfinished = 0
    for _ in range(runs):
        try:
            state = engine.start()
        except EngineError as exc:
            problems.append(Problem("dead-end", scenario.start, str(exc)))
            break
        for _step in range(MAX_RANDOM_STEPS):
            if state.finished:
                break
            options = moves(engine, state, flag_severity, probes)
            try:
                state = step(engine, state, options[rng.randrange(len(options))])
            except EngineError as exc:
                problems.append(Problem("dead-end", state.node, str(exc)))
                break
        coverage.add_state(state)
        if state.finished:
            endings[state.ending] += 1
        else:
            unfinished += 1
    return RandomResult(scenario.id, runs, seed, endings, unfinished, coverage, _dedupe(problems))
