"""Runs a scenario's `tests:` block: scripted inputs, then expectations about where it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from trainer.engine.engine import Engine, EngineError
from trainer.engine.results import STRONG_SCORE, summarize
from trainer.engine.state import State
from trainer.scenario.model import Scenario, ScenarioTest
from trainer.scoring.judgment import Judgment


@dataclass
class TestOutcome:
    scenario: str
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    state: State | None = None


def apply_input(engine: Engine, state: State, item: Any) -> State:
    """One scripted input: a choice number, free text, {say: text} or {judged: {...}}."""
    turn = engine.turn(state)
    if turn.kind == "ending":
        raise EngineError("the scenario has already ended; there are more inputs than turns")
    if isinstance(item, bool):
        raise EngineError(f"input {item!r} is neither a choice number nor text")
    if isinstance(item, str) and item.strip().isdigit() and turn.kind == "choice":
        item = int(item.strip())
    if isinstance(item, int):
        if turn.kind != "choice":
            raise EngineError(f"node '{turn.node.id}' asks for a typed response, but the input is the number {item}")
        return engine.choose(state, item)
    if turn.kind != "respond":
        shown = item if isinstance(item, str) else next(iter(item), "?")
        raise EngineError(f"node '{turn.node.id}' offers choices 1-{len(turn.choices)}, but the input is {shown!r}")
    if isinstance(item, str):
        return engine.respond(state, item)
    if "say" in item:
        return engine.respond(state, item["say"])
    judged = item["judged"]
    judgment = Judgment.synthetic_result(
        judged["score"], flags=judged.get("flags", ()), critical=judged.get("critical", ()), met=judged.get("met", ())
    )
    return engine.respond_judged(state, "(synthetic response)", judgment)


def run_test(
    scenario: Scenario,
    test: ScenarioTest,
    scorer: Any = None,
    flag_severity: Callable[[str], str | None] | None = None,
) -> TestOutcome:
    engine = Engine(scenario, scorer)
    outcome = TestOutcome(scenario.id, test.name, True)
    try:
        state = engine.start(test.mode)
        for i, item in enumerate(test.inputs, 1):
            try:
                state = apply_input(engine, state, item)
            except EngineError as exc:
                outcome.passed = False
                outcome.failures.append(f"input {i}: {exc}")
                outcome.state = state
                return outcome
    except EngineError as exc:
        outcome.passed = False
        outcome.failures.append(str(exc))
        return outcome
    outcome.state = state
    outcome.failures.extend(check_expectations(scenario, test.expect, state, flag_severity))
    outcome.passed = not outcome.failures
    return outcome


def check_expectations(
    scenario: Scenario, expect: Any, state: State, flag_severity: Callable[[str], str | None] | None = None
) -> list[str]:
    failures: list[str] = []
    ending = expect.get("ending")
    if ending is not None:
        if not state.finished:
            failures.append(f"expected ending '{ending}', but the scenario stopped at '{state.node}' waiting for input")
        elif state.ending != ending:
            failures.append(f"expected ending '{ending}', got '{state.ending}'")
    if "outcome" in expect and state.outcome != expect["outcome"]:
        failures.append(f"expected outcome '{expect['outcome']}', got '{state.outcome}'")
    for nid in expect.get("visits") or ():
        if not state.visits.get(nid):
            failures.append(f"expected a visit to '{nid}', but it was not visited")
    for nid in expect.get("not_visits") or ():
        if state.visits.get(nid):
            failures.append(f"expected no visit to '{nid}', but it was visited")
    for name, value in (expect.get("variables") or {}).items():
        actual = state.variables.get(name)
        if actual != value or isinstance(actual, bool) != isinstance(value, bool):
            failures.append(f"expected {name} = {value!r}, got {actual!r}")
    result = None
    if "score" in expect or "flags" in expect:
        result = summarize(scenario, state, flag_severity)
    if "score" in expect:
        lo, hi = expect["score"].get("min", 0.0), expect["score"].get("max", 1.0)
        if result.score is None:
            failures.append(f"expected a score in [{lo}, {hi}], but no turn was scored")
        elif not lo - 1e-9 <= result.score <= hi + 1e-9:
            failures.append(f"expected a score in [{lo}, {hi}], got {result.score:.2f}")
    for flag in expect.get("flags") or ():
        if flag not in {f.id for f in result.flags}:
            failures.append(f"expected flag '{flag}' to be raised, but it was not")
    return failures


def run_scenario_tests(scenario: Scenario, scorer: Any = None, flag_severity=None) -> list[TestOutcome]:
    return [run_test(scenario, t, scorer, flag_severity) for t in scenario.tests]


def check_model_responses(scenario: Scenario, scorer: Any) -> list[TestOutcome]:
    """Each typed turn's model responses, judged as a trainee's reply would be there (the turn's rubrics and
    scope, its `asks` and `not_needed`, and its characters' lines as the peer's line): what the author offers as
    expert practice must raise no red flag and be called a strong move. A flag here is a scorer's false alarm, or
    a model response to rethink; a low score is a criterion the moment does not ask for (say so in `not_needed`),
    a scorer's miss, or a model response that does less than the turn asks."""
    out: list[TestOutcome] = []
    if scorer is None:
        return out
    for node in scenario.nodes.values():
        respond = node.respond
        if respond is None:
            continue
        prompt = scenario.peer_line(node.id)
        for k, text in enumerate(respond.model_responses, 1):
            outcome = TestOutcome(scenario.id, f"model response {k} at '{node.id}' is a strong move with no flag", True)
            judgment = scorer.judge(text, prompt=prompt, **scenario.judge_options(node.id))
            for f in judgment.flags:
                words = f.evidence[0].words if f.evidence else ""
                outcome.failures.append(f"raises {f.id} ({f.severity}) on '{words}'")
            if judgment.score < STRONG_SCORE:
                met = [c.id for c in judgment.criteria if c.met]
                missed = [c.id for c in judgment.criteria if not c.met]
                outcome.failures.append(
                    f"scores {judgment.score:.2f}, under the {STRONG_SCORE:.2f} a strong move needs; met: "
                    f"{', '.join(met) or 'nothing'}; not met: {', '.join(missed) or 'nothing'} (name what this "
                    "moment does not ask for under not_needed, with why)"
                )
            outcome.passed = not outcome.failures
            out.append(outcome)
    return out
